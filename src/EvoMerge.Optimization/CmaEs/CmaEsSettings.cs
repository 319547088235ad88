using System.Text.Json.Serialization;

namespace EvoMerge.Optimization.CmaEs;

/// <summary>Settings of <see cref="CmaEsOptimizer"/>; null strategy values take Hansen's defaults.</summary>
public sealed record CmaEsSettings : OptimizerSettings
{
    /// <summary>Initial offspring count λ; null means 4 + ⌊3 ln n⌋. IPOP restarts multiply it.</summary>
    public int? PopulationSize { get; init; }

    /// <summary>Initial step size σ₀ (genes live in [0, 1], so 1/6 covers the box with ±3σ).</summary>
    public double InitialSigma { get; init; } = 1.0 / 6.0;

    /// <summary>Initial mean (real genes) and favoured choices (categorical genes); null means 0.5 everywhere and uniform choices.</summary>
    public Genome? Start { get; init; }

    /// <summary>Whether real genes are kept in [0, 1] (clipping plus penalty); false searches all of ℝⁿ.</summary>
    public bool Bounded { get; init; } = true;

    /// <summary>Weight of the squared distance between a sample and its clipped genome, added to the ranked fitness.</summary>
    public double BoundaryPenalty { get; init; } = 1.0;

    /// <summary>Scalarisation weights, one per objective (all minimised); null means the plain sum of all objectives.</summary>
    public IReadOnlyList<double>? ObjectiveWeights { get; init; }

    /// <summary>Whether IPOP restarts are made when a run stops making progress.</summary>
    public bool Restarts { get; init; } = true;

    /// <summary>Factor by which each restart multiplies λ.</summary>
    public double PopulationIncrease { get; init; } = 2.0;

    /// <summary>Restarts that increase λ; later restarts keep the last λ.</summary>
    public int MaxPopulationIncreases { get; init; } = 9;

    /// <summary>Restart when the best values of recent generations and all values of the last one lie within this range.</summary>
    public double TolFun { get; init; } = 1e-12;

    /// <summary>Restart when σ times every coordinate's spread is below this; null means 1e-12 σ₀.</summary>
    public double? TolX { get; init; }

    /// <summary>Restart when the condition number of the covariance matrix exceeds this.</summary>
    public double MaxConditionNumber { get; init; } = 1e14;

    /// <summary>Learning rate of the categorical distributions towards the weighted choices of the best μ.</summary>
    public double CategoryLearningRate { get; init; } = 0.3;

    /// <summary>Lowest probability of any choice, as a fraction of the uniform probability 1/k.</summary>
    public double CategoryFloor { get; init; } = 0.1;

    [JsonIgnore]
    public override string OptimizerName => CmaEsOptimizer.OptimizerName;

    public override void Validate(GeneSpace space)
    {
        if (space.RealCount < 1)
        {
            throw new ArgumentException("cmaes needs at least one real gene");
        }
        if (PopulationSize is < 2)
        {
            throw new ArgumentException($"cmaes population size must be at least 2 (got {PopulationSize})");
        }
        if (!(InitialSigma > 0.0) || !double.IsFinite(InitialSigma))
        {
            throw new ArgumentException($"cmaes initial sigma must be positive (got {InitialSigma})");
        }
        if (!(BoundaryPenalty >= 0.0) || !(PopulationIncrease >= 1.0) || MaxPopulationIncreases < 0)
        {
            throw new ArgumentException("cmaes boundary penalty must be ≥ 0, population increase ≥ 1 and max increases ≥ 0");
        }
        if (!(TolFun >= 0.0) || !(TolX is null or >= 0.0) || !(MaxConditionNumber > 1.0))
        {
            throw new ArgumentException("cmaes tolerances must be non-negative and the condition limit above 1");
        }
        if (!(CategoryLearningRate is >= 0.0 and <= 1.0) || !(CategoryFloor is >= 0.0 and <= 1.0))
        {
            throw new ArgumentException("cmaes category learning rate and floor must be in [0, 1]");
        }
        if (ObjectiveWeights is { } weights && (weights.Count == 0 || weights.Any(w => !double.IsFinite(w))))
        {
            throw new ArgumentException("cmaes objective weights must be finite and at least one");
        }
        if (Start is { } start)
        {
            space.Validate(start, realsInUnitInterval: Bounded);
        }
    }
}
