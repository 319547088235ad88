using System.Text.Json.Serialization;

namespace EvoMerge.Optimization.Nsga2;

/// <summary>Settings of <see cref="Nsga2Optimizer"/>; the defaults are Deb et al.'s.</summary>
public sealed record Nsga2Settings : OptimizerSettings
{
    /// <summary>Parents kept each generation and offspring asked per batch.</summary>
    public int PopulationSize { get; init; } = 24;

    /// <summary>Probability that a pair of parents is crossed (otherwise the children are copies before mutation).</summary>
    public double CrossoverProbability { get; init; } = 0.9;

    /// <summary>SBX distribution index η_c.</summary>
    public double CrossoverEta { get; init; } = 15.0;

    /// <summary>Probability that SBX crosses a given real gene of a crossed pair.</summary>
    public double VariableCrossoverProbability { get; init; } = 0.5;

    /// <summary>Polynomial mutation distribution index η_m.</summary>
    public double MutationEta { get; init; } = 20.0;

    /// <summary>Per-gene mutation probability of real genes; null means 1 / number of real genes.</summary>
    public double? RealMutationProbability { get; init; }

    /// <summary>Per-gene random-reset probability of categorical genes; null means 1 / number of categorical genes.</summary>
    public double? CategoryMutationProbability { get; init; }

    /// <summary>How often a child equal to an existing genome is mutated again before it is accepted anyway.</summary>
    public int DuplicateRetries { get; init; } = 20;

    /// <summary>Genomes placed in the first generation (up to <see cref="PopulationSize"/>); the rest is uniform random.</summary>
    public IReadOnlyList<Genome> InitialGenomes { get; init; } = [];

    [JsonIgnore]
    public override string OptimizerName => Nsga2Optimizer.OptimizerName;

    public override void Validate(GeneSpace space)
    {
        if (PopulationSize < 2)
        {
            throw new ArgumentException($"nsga2 population size must be at least 2 (got {PopulationSize})");
        }
        RequireProbability(CrossoverProbability, nameof(CrossoverProbability));
        RequireProbability(VariableCrossoverProbability, nameof(VariableCrossoverProbability));
        RequireProbability(RealMutationProbability ?? 0.0, nameof(RealMutationProbability));
        RequireProbability(CategoryMutationProbability ?? 0.0, nameof(CategoryMutationProbability));
        if (!(CrossoverEta >= 0.0) || !(MutationEta >= 0.0))
        {
            throw new ArgumentException("nsga2 distribution indices must be non-negative");
        }
        if (DuplicateRetries < 0)
        {
            throw new ArgumentException("nsga2 duplicate retries must be non-negative");
        }
        foreach (var genome in InitialGenomes)
        {
            space.Validate(genome);
        }
    }

    private static void RequireProbability(double value, string name)
    {
        if (!(value >= 0.0 && value <= 1.0))
        {
            throw new ArgumentException($"nsga2 {name} must be in [0, 1] (got {value})");
        }
    }
}
