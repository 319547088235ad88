using System.Text.Json.Serialization;

namespace EvoMerge.Optimization.CmaEs;

/// <summary>Snapshot of a <see cref="CmaEsOptimizer"/>: distribution, evolution paths, restart bookkeeping and pending batch.</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record CmaEsState : OptimizerState
{
    public required GeneSpace Space { get; init; }
    public required CmaEsSettings Settings { get; init; }
    public required string Random { get; init; }
    /// <summary>Batches told since the start.</summary>
    public required int Generation { get; init; }
    /// <summary>Batches told since the last restart.</summary>
    public required int RunGeneration { get; init; }
    public required long Evaluations { get; init; }
    public required int Restarts { get; init; }
    public string? LastRestartReason { get; init; }
    /// <summary>Current λ.</summary>
    public required int PopulationSize { get; init; }
    public required double Sigma { get; init; }
    public required double[] Mean { get; init; }
    public required double[] SigmaPath { get; init; }
    public required double[] CovariancePath { get; init; }
    public required double[][] Covariance { get; init; }
    /// <summary>Eigenvectors of the covariance as columns (B).</summary>
    public required double[][] EigenVectors { get; init; }
    /// <summary>Square roots of the covariance eigenvalues (D).</summary>
    public required double[] AxisLengths { get; init; }
    /// <summary>Evaluation count at the last eigendecomposition.</summary>
    public required long EigenEvaluations { get; init; }
    public required List<double> BestHistory { get; init; }
    public required List<double> MedianHistory { get; init; }
    public required double[][] CategoryProbabilities { get; init; }
    /// <summary>Unclipped steps y = (x − m)/σ of the pending batch.</summary>
    public double[][]? PendingSteps { get; init; }
    public IReadOnlyList<Genome>? Pending { get; init; }

    [JsonIgnore]
    public override string OptimizerName => CmaEsOptimizer.OptimizerName;
}
