using System.Text.Json.Serialization;

namespace EvoMerge.Optimization.Random;

/// <summary>Snapshot of a <see cref="RandomSearchOptimizer"/>.</summary>
public sealed record RandomSearchState(
    GeneSpace Space,
    RandomSearchSettings Settings,
    string Random,
    int Generation,
    int InitialGenomesAsked,
    IReadOnlyList<Genome>? Pending) : OptimizerState
{
    [JsonIgnore]
    public override string OptimizerName => RandomSearchOptimizer.OptimizerName;
}
