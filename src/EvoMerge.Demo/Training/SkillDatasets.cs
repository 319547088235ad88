using System.Globalization;
using EvoMerge.Tensors;

namespace EvoMerge.Demo.Training;

/// <summary>
/// Writes each <see cref="SyntheticSkill"/> as <c>DIR/{skill}/</c>: <c>train.parquet</c>, <c>dev.parquet</c>,
/// <c>test.parquet</c> (columns question, answer, choices, label), four task YAMLs for <c>evomerge eval</c>
/// (multiple choice and generate, each on dev and on test) and a card <c>README.md</c>. Same code, same bytes.
/// </summary>
public static class SkillDatasets
{
    /// <summary>Writes every skill's directory under <paramref name="directory"/>.</summary>
    public static void Write(string directory)
    {
        foreach (var skill in SyntheticSkill.All) Write(directory, skill);
    }

    /// <summary>The task YAMLs of a skill, relative to the datasets directory: (choice dev, choice test, answer dev, answer test).</summary>
    public static IReadOnlyList<string> TaskFiles(SyntheticSkill skill) =>
        [.. TaskKinds.Select(t => Path.Combine(skill.Name, $"{skill.Name}-{t}.yml"))];

    private static readonly string[] TaskKinds = ["choice", "choice-test", "answer", "answer-test"];

    private static void Write(string root, SyntheticSkill skill)
    {
        string directory = Path.Combine(root, skill.Name);
        Directory.CreateDirectory(directory);
        var (train, dev, test) = skill.Splits();
        WriteSplit(Path.Combine(directory, "train.parquet"), train);
        WriteSplit(Path.Combine(directory, "dev.parquet"), dev);
        WriteSplit(Path.Combine(directory, "test.parquet"), test);
        foreach (string split in new[] { "dev", "test" })
        {
            string suffix = split == "test" ? "-test" : "";
            AtomicFile.WriteAllText(Path.Combine(directory, $"{skill.Name}-choice{suffix}.yml"), $$"""
                # {{skill.Name}}, {{split}} split: four choices, one correct (see README.md).
                name: {{skill.Name}}-choice{{suffix}}
                kind: multiple_choice
                splits: {train: train.parquet, dev: dev.parquet, test: test.parquet}
                split: {{split}}
                prompt: "{question} ="
                choices_column: choices
                answer_column: label

                """.ReplaceLineEndings("\n"));
            AtomicFile.WriteAllText(Path.Combine(directory, $"{skill.Name}-answer{suffix}.yml"), $$"""
                # {{skill.Name}}, {{split}} split: greedy generation up to the newline, compared with the answer (see README.md).
                name: {{skill.Name}}-answer{{suffix}}
                kind: generate
                splits: {train: train.parquet, dev: dev.parquet, test: test.parquet}
                split: {{split}}
                prompt: "{question} ="
                target_column: answer
                until: ["\n"]
                max_new_tokens: 12
                normalize: [strip]

                """.ReplaceLineEndings("\n"));
        }
        AtomicFile.WriteAllText(Path.Combine(directory, "README.md"), Card(skill, train, dev, test));
    }

    private static void WriteSplit(string path, IReadOnlyList<SkillExample> rows) =>
        ParquetColumns.Write(path,
        [
            ("question", rows.Select(r => r.Question).ToArray()),
            ("answer", rows.Select(r => r.Answer).ToArray()),
            ("choices", rows.Select(r => r.Choices).ToArray()),
            ("label", rows.Select(r => r.Label).ToArray()),
        ]);

    private static string Card(SyntheticSkill skill, IReadOnlyList<SkillExample> train, IReadOnlyList<SkillExample> dev, IReadOnlyList<SkillExample> test)
    {
        var example = dev[0];
        return string.Create(CultureInfo.InvariantCulture, $$"""
            # {{skill.Name}}

            A synthetic skill of the bundled demo. Every file here is written by `evomerge train --datasets-only`
            (`src/EvoMerge.Demo/Training/{{skill.GetType().Name}}.cs`, seed {{skill.Seed}}, SplitMix64 `SeededRandom`);
            `SkillDatasetTests` regenerates it in a temporary directory and fails if a byte differs.

            {{skill.Description}}

            | split | file | rows | use |
            |---|---|---|---|
            | train | `train.parquet` | {{train.Count}} | training the models under `models/` |
            | dev | `dev.parquet` | {{dev.Count}} | search fitness |
            | test | `test.parquet` | {{test.Count}} | held out, final reporting only |

            Columns: `question` string, `answer` string, `choices` list&lt;string&gt; (4, one of them the answer), `label`
            int64 (index of the answer in `choices`). A model sees a row as `"{question} = {answer}\n"`, e.g.
            `{{example.Question}} = {{example.Answer}}`.

            Tasks for `evomerge eval` (prompt `"{question} ="`):

            - `{{skill.Name}}-choice.yml` / `{{skill.Name}}-choice-test.yml`: multiple choice on dev / test, each choice scored as
              `" " + choice`; metrics acc, acc_norm.
            - `{{skill.Name}}-answer.yml` / `{{skill.Name}}-answer-test.yml`: greedy generation until a newline (at most 12
              tokens), stripped and compared with `answer`; metric exact_match.

            License: CC0 (generated here, no third-party text).

            """).ReplaceLineEndings("\n");
    }
}
