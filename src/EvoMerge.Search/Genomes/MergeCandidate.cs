namespace EvoMerge.Search.Genomes;

/// <summary>
/// A decoded genome: the merge method, parameters per group (index 0 = embeddings, 1..G = layer groups, G+1 = final
/// norm and head) and, with a layer ordering, the kept layer slots in order (null without one).
/// </summary>
public sealed record MergeCandidate(string Method, IReadOnlyList<GroupParameters> Groups, IReadOnlyList<LayerSlot>? Slots);
