namespace EvoMerge.Search.Genomes;

/// <summary>
/// A decoded genome: the merge method, parameters per group (index 0 = embeddings, 1..G = layer groups, G+1 = final
/// norm and head) and, with a layer ordering, the kept layer slots in order (null without one). With
/// <c>genome.routed</c>, <see cref="Routed"/> holds the routed genes and <see cref="Method"/> is the backbone's method.
/// </summary>
public sealed record MergeCandidate(string Method, IReadOnlyList<GroupParameters> Groups, IReadOnlyList<LayerSlot>? Slots)
{
    /// <summary>The routed genes, or null for a static merge.</summary>
    public RoutedExpertChoice? Routed { get; init; }
}
