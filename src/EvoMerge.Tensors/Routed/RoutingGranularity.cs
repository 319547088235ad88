namespace EvoMerge.Tensors.Routed;

/// <summary>What a routed model's router assigns expert weights to.</summary>
public enum RoutingGranularity
{
    /// <summary>One set of weights per sequence, from the mean routing-layer state of its context (prompt) tokens.</summary>
    Sequence,

    /// <summary>One set of weights per token, from that token's own routing-layer state.</summary>
    Token,
}
