using System.Text;

namespace EvoMerge.FuzzCorpus;

/// <summary>
/// Bad eval tasks: a valid multiple-choice task YAML (<see cref="ValidYaml"/>) with its Parquet data
/// (<see cref="ValidParquet"/>), then YAMLs with bad fields over the valid data, and the valid YAML over bad data:
/// <see cref="ParquetCorruptions"/> (flipped bytes, truncations, bad footers, a text file), missing columns and
/// columns of the wrong type. A case's data file is named <see cref="DataName"/> in the YAML and is renamed with the case.
/// </summary>
public static class TaskMutations
{
    /// <summary>The data file's name in a case's YAML, replaced by the case's own name when the corpus is written.</summary>
    public const string DataName = "DATA.parquet";

    /// <summary>The valid task over <see cref="DataName"/>.</summary>
    public const string ValidYaml = "name: colors\nkind: multiple_choice\ndata: DATA.parquet\nprompt: \"Q: {question}\\nA:\"\nchoices_column: choices\nanswer_column: label\n";

    private const int Rows = 6;

    private static string?[] Questions => Enumerable.Range(0, Rows).Select(i => (string?)$"color {i}?").ToArray();

    private static string[][] Choices => Enumerable.Range(0, Rows).Select(i => new[] { "red", "blue", $"green{i}" }).ToArray();

    private static long[] Labels => Enumerable.Range(0, Rows).Select(i => (long)(i % 3)).ToArray();

    /// <summary>The valid data: question (string), choices (list of 3 strings), label (int64), 6 rows in two row groups.</summary>
    public static byte[] ValidParquet() =>
        ParquetTableBytes.Write([("question", Questions), ("choices", Choices), ("label", Labels)], rowGroupSize: 3);

    /// <summary>Every case, drawn from <paramref name="random"/>.</summary>
    public static List<FuzzCase> Generate(Random random)
    {
        var valid = ValidParquet();
        var cases = new List<FuzzCase>();
        foreach (var (kind, yaml, mustFail) in BadYaml())
        {
            if (yaml == ValidYaml) throw new InvalidOperationException($"{kind}: the mutation changed nothing");
            cases.Add(Task(kind, Encoding.UTF8.GetBytes(yaml), valid, mustFail));
        }
        foreach (var (kind, bytes) in NonText()) cases.Add(Task(kind, bytes, valid, kind != "nul-bytes"));
        foreach (var (name, bytes) in ParquetCorruptions.Of(valid, random))
            cases.Add(Task("parquet-" + string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')), Encoding.UTF8.GetBytes(ValidYaml), bytes,
                !name.StartsWith("byte ", StringComparison.Ordinal)));
        foreach (var (kind, bytes) in BadTables()) cases.Add(Task("parquet-" + kind, Encoding.UTF8.GetBytes(ValidYaml), bytes, kind != "question-as-int"));
        return cases;
    }

    private static FuzzCase Task(string kind, byte[] yaml, byte[] data, bool mustFail) =>
        new(kind, yaml, mustFail) { Companions = [(DataName, data)] };

    private static IEnumerable<(string Kind, string Yaml, bool MustFail)> BadYaml()
    {
        string v = ValidYaml;
        yield return ("unknown-kind", v.Replace("kind: multiple_choice", "kind: essay"), true);
        yield return ("kind-list", v.Replace("kind: multiple_choice", "kind: [multiple_choice]"), true);
        yield return ("no-name", v.Replace("name: colors\n", ""), true);
        yield return ("no-data", v.Replace("data: DATA.parquet\n", ""), true);
        yield return ("missing-data", v.Replace("data: DATA.parquet", "data: missing.parquet"), true);
        yield return ("data-outside", v.Replace("data: DATA.parquet", "data: ../nothere/../nothere/x.parquet"), true);
        yield return ("data-is-directory", v.Replace("data: DATA.parquet", "data: ."), true);
        yield return ("data-is-the-yaml", v.Replace("data: DATA.parquet", "data: DATA.parquet/.."), true);
        yield return ("data-is-dev-null", v.Replace("data: DATA.parquet", "data: /dev/null"), true);
        yield return ("data-list", v.Replace("data: DATA.parquet", "data: [DATA.parquet]"), true);
        yield return ("prompt-unclosed", v.Replace("{question}", "{question"), true);
        yield return ("prompt-unknown-column", v.Replace("{question}", "{nope}"), true);
        yield return ("choices-column-missing", v.Replace("choices_column: choices", "choices_column: options"), true);
        yield return ("answer-column-missing", v.Replace("answer_column: label", "answer_column: gold"), true);
        yield return ("answer-column-is-text", v.Replace("answer_column: label", "answer_column: question"), true);
        yield return ("choices-column-is-int", v.Replace("choices_column: choices", "choices_column: label"), true);
        yield return ("no-choices-column", v.Replace("choices_column: choices\n", ""), true);
        yield return ("negative-fewshot", v + "num_fewshot: -1\n", true);
        yield return ("huge-fewshot", v + "num_fewshot: 1000000000\n", true);
        yield return ("fewshot-text", v + "num_fewshot: many\n", true);
        yield return ("fewshot-seed-text", v + "num_fewshot: 1\nfewshot_seed: x\n", true);
        yield return ("unknown-key", v + "promt: typo\n", true);
        yield return ("split-without-splits", v + "split: validation\n", true);
        string g = "name: colors\nkind: generate\ndata: DATA.parquet\nprompt: \"Q: {question}\\nA:\"\ntarget_column: question\n";
        yield return ("generate-without-target", g.Replace("target_column: question\n", ""), true);
        yield return ("generate-target-missing", g.Replace("target_column: question", "target_column: answer"), true);
        yield return ("perplexity-without-text", "name: colors\nkind: perplexity\ndata: DATA.parquet\n", true);
        yield return ("perplexity-text-is-list", "name: colors\nkind: perplexity\ndata: DATA.parquet\ntext_column: choices\n", true);
        yield return ("bad-regex", g + "extract_regex: '(['\n", true);
        yield return ("negative-max-tokens", g + "max_new_tokens: -3\n", true);
        yield return ("unknown-normalizer", g + "normalize: [shout]\n", true);
        yield return ("until-number", g + "until: 5\n", true);
        yield return ("empty", "", true);
        yield return ("null", "null\n", true);
        yield return ("list", "- name: colors\n", true);
        yield return ("scalar", "just text\n", true);
        yield return ("two-documents", v + "---\n" + v, true);
        yield return ("duplicate-key", v + "name: again\n", true);
        yield return ("tab-indent", v.Replace("kind: multiple_choice", "kind:\n\tmultiple_choice"), true);
        yield return ("truncated-quote", v[..(v.IndexOf("prompt", StringComparison.Ordinal) + 12)], true);
        yield return ("billion-laughs", v + "x:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + string.Concat(
            Enumerable.Range(1, 8).Select(l => $"  {(char)('a' + l)}: &{(char)('a' + l)} [{string.Join(", ", Enumerable.Repeat("*" + (char)('a' + l - 1), 9))}]\n")), true);
        yield return ("alias-to-nowhere", v.Replace("name: colors", "name: *nowhere"), true);
        yield return ("deep-nesting", v.Replace("name: colors", "name: " + new string('[', 1000) + new string(']', 1000)), true);
    }

    private static IEnumerable<(string Kind, byte[] Yaml)> NonText()
    {
        byte[] v = Encoding.UTF8.GetBytes(ValidYaml);
        yield return ("non-utf8-ff", [.. v[..10], 0xFF, .. v[10..]]);
        yield return ("non-utf8-surrogate", [.. v[..20], 0xED, 0xA0, 0x80, .. v[20..]]);
        yield return ("non-utf8-overlong", [.. v, .. "prompt2: "u8, 0xC0, 0xAF, (byte)'\n']);
        yield return ("nul-bytes", [.. v[..5], 0, 0, 0, .. v[5..]]);
        yield return ("utf16", Encoding.Unicode.GetBytes(ValidYaml));
    }

    private static IEnumerable<(string Kind, byte[] Bytes)> BadTables()
    {
        yield return ("no-label-column", ParquetTableBytes.Write([("question", Questions), ("choices", Choices)]));
        yield return ("no-choices-column", ParquetTableBytes.Write([("question", Questions), ("label", Labels)]));
        yield return ("no-question-column", ParquetTableBytes.Write([("choices", Choices), ("label", Labels)]));
        yield return ("label-as-text", ParquetTableBytes.Write([("question", Questions), ("choices", Choices), ("label", Labels.Select(l => (string?)l.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray())]));
        yield return ("label-as-double", ParquetTableBytes.Write([("question", Questions), ("choices", Choices), ("label", Labels.Select(l => l + 0.5).ToArray())]));
        yield return ("choices-as-text", ParquetTableBytes.Write([("question", Questions), ("choices", Choices.Select(c => (string?)string.Join("|", c)).ToArray()), ("label", Labels)]));
        yield return ("question-as-int", ParquetTableBytes.Write([("question", Labels), ("choices", Choices), ("label", Labels)]));
        yield return ("label-out-of-range", ParquetTableBytes.Write([("question", Questions), ("choices", Choices), ("label", Labels.Select(l => l + 5).ToArray())]));
        yield return ("label-negative", ParquetTableBytes.Write([("question", Questions), ("choices", Choices), ("label", Labels.Select(l => -1 - l).ToArray())]));
        yield return ("label-huge", ParquetTableBytes.Write([("question", Questions), ("choices", Choices), ("label", Labels.Select(_ => long.MaxValue).ToArray())]));
        yield return ("null-question", ParquetTableBytes.Write([("question", Questions.Select(_ => (string?)null).ToArray()), ("choices", Choices), ("label", Labels)]));
        yield return ("zero-rows", ParquetTableBytes.Write([("question", Array.Empty<string?>()), ("choices", Array.Empty<string[]>()), ("label", Array.Empty<long>())]));
    }
}
