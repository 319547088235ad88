namespace EvoMerge.Search.Genomes;

/// <summary>
/// Decoded merge parameters of one layer group: per source model (in gene order) the per-model parameters the chosen
/// method uses (weight, density, epsilon, gamma), and the global ones (slerp's t).
/// </summary>
public sealed record GroupParameters(IReadOnlyList<IReadOnlyDictionary<string, double>> PerModel, IReadOnlyDictionary<string, double> Global);
