namespace EvoMerge.Search.Analysis;

/// <summary>
/// The task vectors of one group of tensors (a tensor kind of a layer, a whole layer, or the whole model):
/// L2 norms (also relative to the base's norm over the same tensors), pairwise comparisons, and for each model the
/// fraction of its energy (Σδ²) TIES trimming keeps at <see cref="TaskVectorMeasures.Densities"/>.
/// </summary>
public sealed record GroupStatistics(
    string Group, int? Layer, string Kind, long Elements, double BaseNorm,
    IReadOnlyList<double> TaskVectorNorms, IReadOnlyList<double> RelativeNorms,
    IReadOnlyList<PairStatistics> Pairs, IReadOnlyList<IReadOnlyList<double>> TrimEnergyKept);
