namespace EvoMerge.Tensors;

/// <summary>
/// A decoder family's tensor naming as data (mergekit's architecture JSON files play the same part): the model types
/// and HF class names it covers, the layer prefix ("model.layers.{i}."), the tensors before, inside and after the
/// layers, which tensor tied embeddings drop, the config fields that size it, MoE experts and optional tensors'
/// config flags with their defaults. <see cref="ArchitectureCatalog"/> lists the known families.
/// </summary>
public sealed record ArchitectureSpec
{
    /// <summary>The family's name (its main model_type).</summary>
    public required string Family { get; init; }

    /// <summary>Every model_type this spec describes.</summary>
    public required IReadOnlyList<string> ModelTypes { get; init; }

    /// <summary>The HF <c>architectures</c> class names of its causal-LM checkpoints.</summary>
    public required IReadOnlyList<string> Architectures { get; init; }

    /// <summary>Prefix of layer tensors with the index as "{i}", e.g. "transformer.h.{i}.".</summary>
    public string LayerPrefix { get; init; } = "model.layers.{i}.";

    /// <summary>Tensors before the layers (embeddings).</summary>
    public required IReadOnlyList<ArchitectureTensor> PreLayer { get; init; }

    /// <summary>One layer's tensors, named relative to <see cref="LayerPrefix"/>.</summary>
    public required IReadOnlyList<ArchitectureTensor> Layer { get; init; }

    /// <summary>Tensors after the layers (final norm, LM head).</summary>
    public required IReadOnlyList<ArchitectureTensor> PostLayer { get; init; }

    /// <summary>The post-layer tensor absent when <c>tie_word_embeddings</c> is true (the LM head).</summary>
    public required string TiedName { get; init; }

    /// <summary>The value of <c>tie_word_embeddings</c> when config.json leaves it out (the HF config class default).</summary>
    public bool TiedByDefault { get; init; }

    /// <summary>Config field names of the sizes.</summary>
    public ArchitectureKeys Keys { get; init; } = ArchitectureKeys.Standard;

    /// <summary>The config field giving the number of experts per layer (MoE families), or null.</summary>
    public string? ExpertCountKey { get; init; }

    /// <summary>Defaults of the config flags that <see cref="ArchitectureTensor.When"/> reads, when config.json leaves them out.</summary>
    public IReadOnlyDictionary<string, bool> FlagDefaults { get; init; } = new Dictionary<string, bool>();

    /// <summary>Config values this data does not describe (refused with a clear error, or see <see cref="InferredWhenRefused"/>).</summary>
    public IReadOnlyList<ArchitectureRefusal> Refusals { get; init; } = [];

    /// <summary>
    /// True when a merge reads a model this data does not describe (a <see cref="Refusals"/> value) from its tensor
    /// names instead (<see cref="InferredArchitecture"/>), as mergekit does for a family it has no data for.
    /// </summary>
    public bool InferredWhenRefused { get; init; }

    /// <summary>True when EvoMerge's decoder can run the family (search and eval); every family merges and inspects.</summary>
    public bool Evaluable { get; init; }

    /// <summary>
    /// The prefix that checkpoints saved by the family's bare model class leave out of every tensor name, which also
    /// have no LM head (GPT-2's <c>GPT2Model</c> saves <c>h.0.attn.c_attn.weight</c>, <c>wte.weight</c>); null when
    /// there is none. See <see cref="WithoutBarePrefix"/>.
    /// </summary>
    public string? BareModelPrefix { get; init; }

    /// <summary>This family as its bare model class saves it: <see cref="BareModelPrefix"/> removed from every name, no LM head.</summary>
    public ArchitectureSpec WithoutBarePrefix()
    {
        string prefix = BareModelPrefix ?? throw new InvalidOperationException($"{Family} has no bare-model prefix");
        IReadOnlyList<ArchitectureTensor> Strip(IEnumerable<ArchitectureTensor> tensors) =>
            [.. tensors.Where(t => t.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(t => t with { Name = t.Name[prefix.Length..] })];
        return this with { LayerPrefix = LayerPrefix[prefix.Length..], PreLayer = Strip(PreLayer), PostLayer = Strip(PostLayer), BareModelPrefix = null };
    }
}
