using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Demo.Training;

/// <summary>
/// The eval table behind <c>evomerge train --report</c>: every demo model, and merges of the specialists (recipes
/// written as <c>MODELS/merge-*.yml</c>), scored on every skill task (multiple-choice acc and
/// generation exact match, dev and test), written to <c>MODELS/README.md</c> with each model's training card.
/// </summary>
public static class DemoModelReport
{
    /// <summary>Evaluates and writes MODELS/README.md (and the merge recipes); merged models go to temporary directories.</summary>
    public static void Write(string datasetsDirectory, string modelsDirectory, Action<string> log)
    {
        torch.set_num_threads(1);
        var taskFiles = SyntheticSkill.All.SelectMany(SkillDatasets.TaskFiles).ToList();
        var tasks = taskFiles.Select(f => EvalTask.Load(Path.Combine(datasetsDirectory, f))).ToList();
        var rows = new List<(string Model, TaskResult[] Results)>();
        foreach (string name in DemoModelTraining.ModelNames)
            rows.Add((name, Evaluate(Path.Combine(modelsDirectory, name), tasks, log)));
        foreach (var (file, label, text) in Recipes())
        {
            string recipePath = Path.Combine(modelsDirectory, file);
            AtomicFile.WriteAllText(recipePath, text);
            string merged = Path.Combine(Path.GetTempPath(), $"evomerge-demo-merge-{Guid.NewGuid():N}");
            try
            {
                var plan = MergePlanner.Build(RecipeReader.ReadFile(recipePath));
                using (var executor = new MergeExecutor(plan))
                using (var sink = ModelDirectorySink.Create(plan, merged))
                    executor.Run(sink);
                rows.Add((label, Evaluate(merged, tasks, log)));
            }
            finally
            {
                if (Directory.Exists(merged)) Directory.Delete(merged, recursive: true);
            }
        }
        AtomicFile.WriteAllText(Path.Combine(modelsDirectory, "README.md"), Markdown(rows, modelsDirectory));
        log($"wrote {Path.Combine(modelsDirectory, "README.md")}");
    }

    private static TaskResult[] Evaluate(string directory, IReadOnlyList<EvalTask> tasks, Action<string> log)
    {
        using var model = ModelDirectory.Open(directory);
        using var decoder = DecoderModel.Load(model);
        var result = new Evaluator(decoder, TextTokenizer.Load(directory)).Evaluate(tasks);
        log($"evaluated {directory}");
        return [.. result.Tasks];
    }

    /// <summary>
    /// The merge recipes scored: (file under MODELS, table label, YAML): uniform task arithmetic and TIES over all three
    /// specialists, one per-model weighting, and a two-model merge.
    /// </summary>
    private static IEnumerable<(string File, string Label, string Text)> Recipes()
    {
        var all = SyntheticSkill.All.Select(s => s.Name).ToArray();
        foreach (double weight in new[] { 1.0, 0.5 })
            yield return ($"merge-ta-{weight:0.0}.yml", $"task_arithmetic w={weight:0.0}", Recipe("task_arithmetic", all, all.Select(_ => $"{{weight: {weight:0.0}}}").ToArray()));
        yield return ("merge-ties-0.3.yml", "ties d=0.3", Recipe("ties", all, all.Select(_ => "{weight: 1.0, density: 0.3}").ToArray()));
        yield return ("merge-ta-weighted.yml", "task_arithmetic w=1.0/0.5/0.5", Recipe("task_arithmetic", all, ["{weight: 1.0}", "{weight: 0.5}", "{weight: 0.5}"]));
        yield return ("merge-ta-reversal-capitals-1.0.yml", "task_arithmetic reversal+capitals w=1.0",
            Recipe("task_arithmetic", ["reversal", "capitals"], ["{weight: 1.0}", "{weight: 1.0}"]));
    }

    private static string Recipe(string method, IReadOnlyList<string> models, IReadOnlyList<string> parameters)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {method} of {string.Join(", ", models)} over base, written by evomerge train --report.\n");
        text.Append(CultureInfo.InvariantCulture, $"merge_method: {method}\nbase_model: base\nmodels:\n");
        for (int i = 0; i < models.Count; i++) text.Append(CultureInfo.InvariantCulture, $"  - model: {models[i]}\n    parameters: {parameters[i]}\n");
        text.Append("dtype: float32\n");
        return text.ToString();
    }

    private static string Markdown(List<(string Model, TaskResult[] Results)> rows, string modelsDirectory)
    {
        var text = new StringBuilder();
        text.Append("""
            # Demo models

            Tiny Llama decoders (4 layers, hidden 128, 4 heads / 2 KV heads, intermediate 384, 260-token byte vocabulary,
            ~0.85M parameters, fp16) trained by `./evomerge train` from the skill datasets in `datasets/` (`addition`,
            `reversal`, `capitals`): `base` from scratch on template sentences and every skill's train questions in the
            tasks' `question = answer` form, each answer correct half the time and a random one otherwise (so base
            answers every skill sometimes); `addition`, `reversal`, `capitals` fine-tuned from `base` on their skill's
            train split, with the other skills' questions held to base's predictions (see "How the committed models were
            chosen" below); `multitask`
            fine-tuned from `base` on all three (the upper bound a merge can hope for). Each directory's `training.json`
            records the seeds and settings. They live in `models/` (not under `datasets/`): they are models, and a search
            config names them as `models/base`, `models/addition`, ….

            This file is written by `./evomerge train --skip-training --report` (the table only; `./evomerge train --report`
            retrains first). The last rows are merges of the specialists over `base`, one per recipe file written
            next to this one (`merge-*.yml`, mergekit format), run with the Merging API (what `evomerge merge` runs) and
            scored like the others.

            Accuracy in % (multiple choice: acc over 4 choices, chance 25; generate: exact match of the greedy answer).

            """.ReplaceLineEndings("\n"));
        var header = new List<string> { "model" };
        foreach (var skill in SyntheticSkill.All)
            header.AddRange([$"{skill.Name} choice dev", "test", $"{skill.Name} answer dev", "test"]);
        text.Append("| " + string.Join(" | ", header) + " |\n");
        text.Append("|" + string.Concat(header.Select((_, i) => i == 0 ? "---|" : "---:|")) + "\n");
        foreach (var (model, results) in rows)
        {
            var cells = results.Select(r => (r.Metrics.Any(m => m.Name == "acc") ? r.Metric("acc") : r.Metric("exact_match")).Value * 100)
                .Select(v => v.ToString("0.0", CultureInfo.InvariantCulture));
            text.Append($"| {model} | {string.Join(" | ", cells)} |\n");
        }
        text.Append("\n## Training\n\n| model | from | regime or mixture | steps | batch | lr | first/last 50-step loss | wall s |\n|---|---|---|---:|---:|---:|---|---:|\n");
        foreach (string name in DemoModelTraining.ModelNames)
        {
            var card = JsonNode.Parse(File.ReadAllText(Path.Combine(modelsDirectory, name, "training.json")))!;
            text.Append(CultureInfo.InvariantCulture,
                $"| {name} | {card["fine_tuned_from"]?.ToString() ?? "scratch"} | {Regime(card["regime"], card["mixture"])} | {card["steps"]} | {card["batch_size"]} | {card["learning_rate"]} | {card["loss_first_50_steps"]} → {card["loss_last_50_steps"]} | {card["wall_seconds"]} |\n");
        }
        text.Append("\nWall times are from the run that wrote the committed models (one torch thread on a shared 2-vCPU VM).\n");
        string regimes = Path.Combine(modelsDirectory, RegimesFile);
        if (File.Exists(regimes)) text.Append('\n').Append(File.ReadAllText(regimes).ReplaceLineEndings("\n"));
        return text.ToString();
    }

    /// <summary>Hand-written findings (the specialist regimes tried and their merges), appended to the README when present.</summary>
    public const string RegimesFile = "regimes.md";

    private static string Regime(JsonNode? regime, JsonNode? mixture) =>
        regime is not null ? $"{regime["name"]}: {regime["summary"]}"
        : mixture is not null ? $"base mixture {mixture["name"]}: {mixture["summary"]}"
        : "dense (all tensors)";
}
