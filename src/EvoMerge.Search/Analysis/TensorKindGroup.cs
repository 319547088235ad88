using System.Text.RegularExpressions;

namespace EvoMerge.Search.Analysis;

/// <summary>
/// Where a tensor belongs in the per-layer report: its decoder layer (null outside the layers: embeddings, final
/// norm, head) and its kind (the name after <c>layers.N.</c>, e.g. <c>self_attn.q_proj.weight</c>; the whole name
/// outside the layers).
/// </summary>
public sealed partial record TensorKindGroup(int? Layer, string Kind)
{
    /// <summary>The kind of a whole layer's (or the whole model's) aggregate.</summary>
    public const string AllKinds = "*";

    /// <summary>The group of a checkpoint tensor name.</summary>
    public static TensorKindGroup Of(string tensorName)
    {
        var match = LayerName().Match(tensorName);
        return match.Success
            ? new TensorKindGroup(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value)
            : new TensorKindGroup(null, tensorName);
    }

    /// <summary>"layer 3 mlp.up_proj.weight", "layer 3" (all kinds), "model.embed_tokens.weight", "all".</summary>
    public string Label => (Layer, Kind) switch
    {
        (null, AllKinds) => "all",
        (int l, AllKinds) => $"layer {l}",
        (int l, _) => $"layer {l} {Kind}",
        _ => Kind,
    };

    [GeneratedRegex(@"layers\.(\d+)\.(.+)$")]
    private static partial Regex LayerName();
}
