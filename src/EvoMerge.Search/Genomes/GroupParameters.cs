namespace EvoMerge.Search.Genomes;

/// <summary>
/// Decoded merge parameters of one layer group: per source model (in gene order) the per-model parameters the chosen
/// method uses (weight, density, epsilon, gamma), and the global ones (slerp's t). With <c>genome.filters</c>, these
/// are the values for the remaining tensors and <see cref="Filtered"/> holds one set per filter.
/// </summary>
public sealed record GroupParameters(IReadOnlyList<IReadOnlyDictionary<string, double>> PerModel, IReadOnlyDictionary<string, double> Global)
{
    /// <summary>One parameter set per <c>genome.filters</c> entry, in that order (empty without filters, and in the embedding and head groups).</summary>
    public IReadOnlyList<FilterParameters> Filtered { get; init; } = [];
}
