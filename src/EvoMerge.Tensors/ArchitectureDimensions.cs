using System.Globalization;
using System.Text.Json.Nodes;

namespace EvoMerge.Tensors;

/// <summary>
/// Evaluates the dimension expressions of <see cref="ArchitectureTensor.Shape"/> against a config: a sum of terms,
/// each an integer, a name, or "K*name". Names: hidden, vocab, heads, kv_heads, head_dim, q (heads × head_dim), kv (kv heads ×
/// head_dim), intermediate, positions, experts; any other name is read as an integer field of config.json (e.g.
/// <c>moe_intermediate_size</c>), a missing one an error naming the file and the field.
/// </summary>
public sealed class ArchitectureDimensions(ModelConfig config, string configPath, int experts)
{
    /// <summary>The shape of a tensor in this config.</summary>
    public long[] Shape(IReadOnlyList<string> dims) => dims.Select(Evaluate).ToArray();

    /// <summary>The value of one dimension expression.</summary>
    public long Evaluate(string expression)
    {
        long total = 0;
        foreach (string term in expression.Split('+', StringSplitOptions.TrimEntries))
        {
            int star = term.IndexOf('*', StringComparison.Ordinal);
            long factor = star < 0 ? 1 : long.Parse(term[..star], NumberStyles.None, CultureInfo.InvariantCulture);
            string name = star < 0 ? term : term[(star + 1)..];
            total += factor * (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out long number) ? number : Symbol(name));
        }
        return total;
    }

    private long Symbol(string name)
    {
        var c = config;
        return name switch
        {
            "hidden" => c.HiddenSize,
            "vocab" => c.VocabSize,
            "heads" => c.NumAttentionHeads,
            "kv_heads" => c.NumKeyValueHeads,
            "head_dim" => c.HeadDim,
            "q" => (long)c.NumAttentionHeads * c.HeadDim,
            "kv" => (long)c.NumKeyValueHeads * c.HeadDim,
            "intermediate" => c.IntermediateSize,
            "positions" => c.MaxPositionEmbeddings,
            "experts" => experts,
            _ => c.Raw[name] is JsonValue v && (v.TryGetValue(out int i) ? i : v.TryGetValue(out long l) ? l : 0) is var value && value > 0
                ? value
                : throw new ModelConfigException(configPath, name, c.Raw[name] is null ? "is missing" : "must be a positive integer"),
        };
    }
}
