using System.Text.Json.Serialization;

namespace EvoMerge.Optimization.Nsga2;

/// <summary>Snapshot of a <see cref="Nsga2Optimizer"/>: the surviving population in rank order and any pending batch.</summary>
public sealed record Nsga2State(
    GeneSpace Space,
    Nsga2Settings Settings,
    string Random,
    int Generation,
    IReadOnlyList<EvaluatedGenome> Population,
    IReadOnlyList<Genome>? Pending) : OptimizerState
{
    [JsonIgnore]
    public override string OptimizerName => Nsga2Optimizer.OptimizerName;
}
