namespace EvoMerge.Search.Genomes;

/// <summary>
/// The parameter set of one <c>genome.filters</c> entry in a layer group: the values for the tensors whose name
/// contains <see cref="Filter"/> (written as a <c>{filter, value}</c> branch in the recipe).
/// </summary>
public sealed record FilterParameters(string Filter, GroupParameters Values);
