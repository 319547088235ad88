using System.Text;

namespace EvoMerge.FuzzCorpus;

/// <summary>
/// Bad recipes over models/base, models/a, models/b (unknown methods, bad parameters, bad slices, dtypes, tokenizer
/// sources, billion laughs, non-UTF-8 bytes, ...) written to a fresh output, and the valid recipe
/// (<see cref="Valid"/>) written to every output of <see cref="RecipeOutput.Refused"/>.
/// </summary>
public static class RecipeMutations
{
    /// <summary>A valid TIES recipe over the workspace's models.</summary>
    public const string Valid = """
        merge_method: ties
        base_model: models/base
        models:
          - model: models/a
            parameters:
              weight: 0.5
              density: 0.5
          - model: models/b
            parameters:
              weight: 0.5
              density: 0.5
        dtype: float32

        """;

    /// <summary>Every case, drawn from <paramref name="random"/> (the truncations).</summary>
    public static List<FuzzCase> Generate(Random random)
    {
        var cases = new List<FuzzCase>();
        foreach (var (kind, text, mustFail) in Bad(random))
        {
            if (text == Valid) throw new InvalidOperationException($"{kind}: the mutation changed nothing");
            cases.Add(new(kind, Encoding.UTF8.GetBytes(text), mustFail) { Output = RecipeOutput.Fresh });
        }
        byte[] valid = Encoding.UTF8.GetBytes(Valid);
        foreach (var bad in new byte[][] { [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80] })
            cases.Add(new("non-utf8", [.. valid[..30], .. bad, .. valid[30..]]) { Output = RecipeOutput.Fresh });
        foreach (var (name, _) in RecipeOutput.Refused)
        {
            cases.Add(new("output-" + name, valid) { Output = name });
            if (name is not "non-empty" and not "existing-file") cases.Add(new("output-" + name + "-allow-overwrite", valid) { Output = name, AllowOverwrite = true });
        }
        return cases;
    }

    private static IEnumerable<(string Kind, string Text, bool MustFail)> Bad(Random random)
    {
        string v = Valid;
        yield return ("unknown-method", v.Replace("merge_method: ties", "merge_method: fancy"), true);
        yield return ("no-method", v.Replace("merge_method: ties\n", ""), true);
        yield return ("method-list", v.Replace("merge_method: ties", "merge_method: [ties]"), true);
        yield return ("no-models", "merge_method: ties\nbase_model: models/base\ndtype: float32\n", true);
        yield return ("missing-model", v.Replace("  - model: models/b", "  - model: models/missing"), true);
        yield return ("model-is-a-file", v.Replace("  - model: models/b", "  - model: models/b/config.json"), true);
        yield return ("model-is-root", v.Replace("  - model: models/b", "  - model: /"), true);
        yield return ("missing-base", v.Replace("base_model: models/base", "base_model: models/nothere"), true);
        yield return ("no-base-for-ties", v.Replace("base_model: models/base\n", ""), true);
        yield return ("hub-name", v.Replace("  - model: models/b", "  - model: meta-llama/Llama-2-7b-hf"), true);
        yield return ("lora", v.Replace("  - model: models/b", "  - model: models/b+models/a"), true);
        yield return ("revision", v.Replace("  - model: models/b", "  - model: models/b@main"), false);
        yield return ("density-over-one", ReplaceFirst(v, "density: 0.5", "density: 1.5"), false);
        yield return ("density-negative", ReplaceFirst(v, "density: 0.5", "density: -1"), false);
        yield return ("density-text", ReplaceFirst(v, "density: 0.5", "density: half"), true);
        yield return ("weight-nan", ReplaceFirst(v, "weight: 0.5", "weight: .nan"), false);
        yield return ("weight-infinite", ReplaceFirst(v, "weight: 0.5", "weight: .inf"), false);
        yield return ("weight-map", ReplaceFirst(v, "weight: 0.5", "weight: {a: 1}"), true);
        yield return ("gradient-empty", ReplaceFirst(v, "weight: 0.5", "weight: []"), true);
        yield return ("gradient-huge", ReplaceFirst(v, "weight: 0.5", "weight: [" + string.Join(", ", Enumerable.Repeat("0.5", 5000)) + "]"), false);
        yield return ("unknown-parameter", ReplaceFirst(v, "density: 0.5", "densty: 0.5"), false);
        yield return ("unknown-key", v + "merge_methd: ties\n", false); // ignored with a warning, as mergekit ignores it
        yield return ("slerp-three-models", "merge_method: slerp\nbase_model: models/a\nmodels:\n  - model: models/a\n  - model: models/b\n  - model: models/base\nparameters:\n  t: 0.5\ndtype: float32\n", true);
        yield return ("slerp-t-out-of-range", "merge_method: slerp\nbase_model: models/a\nmodels:\n  - model: models/a\n  - model: models/b\nparameters:\n  t: 5\ndtype: float32\n", false);
        yield return ("layer-range-past-end", "merge_method: linear\nslices:\n  - sources:\n      - model: models/a\n        layer_range: [0, 99]\n      - model: models/b\n        layer_range: [0, 99]\n", true);
        yield return ("layer-range-reversed", "merge_method: linear\nslices:\n  - sources:\n      - model: models/a\n        layer_range: [2, 1]\n      - model: models/b\n        layer_range: [2, 1]\n", true);
        yield return ("layer-range-negative", "merge_method: passthrough\nslices:\n  - sources:\n      - model: models/a\n        layer_range: [-1, 2]\n", true);
        yield return ("slices-and-models", v + "slices:\n  - sources:\n      - model: models/a\n        layer_range: [0, 2]\n", true);
        yield return ("unknown-dtype", v.Replace("dtype: float32", "dtype: float7"), true);
        yield return ("int-out-dtype", v + "out_dtype: int8\n", true);
        yield return ("missing-tokenizer-source", v + "tokenizer_source: models/missing\n", true);
        yield return ("union-tokenizer", v + "tokenizer_source: union\ntokenizer:\n  source: base\n", true);
        yield return ("bad-chat-template", v + "chat_template: chatml2\n", true);
        yield return ("proxy-tasks-for-ties", v + "proxy_tasks:\n  models/a: tasks/a.yml\n", true);
        yield return ("billion-laughs", v + "x:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + string.Concat(
            Enumerable.Range(1, 8).Select(l => $"  {(char)('a' + l)}: &{(char)('a' + l)} [{string.Join(", ", Enumerable.Repeat("*" + (char)('a' + l - 1), 9))}]\n")), true);
        yield return ("deep-nesting", ReplaceFirst(v, "weight: 0.5", "weight: " + new string('[', 2000) + new string(']', 2000)), true);
        yield return ("empty", "", true);
        yield return ("scalar", "ties\n", true);
        yield return ("syntax", v.Replace("density: 0.5", "density: [0.5"), true);
        for (int i = 0; i < 3; i++) yield return ("truncated", v[..random.Next(1, v.IndexOf("dtype", StringComparison.Ordinal))], false);
    }

    private static string ReplaceFirst(string text, string find, string replace)
    {
        int at = text.IndexOf(find, StringComparison.Ordinal);
        return text[..at] + replace + text[(at + find.Length)..];
    }
}
