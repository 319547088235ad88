using System.Text.Json.Serialization;

namespace EvoMerge.Optimization.Random;

/// <summary>Settings of <see cref="RandomSearchOptimizer"/>.</summary>
public sealed record RandomSearchSettings : OptimizerSettings
{
    /// <summary>Genomes per batch.</summary>
    public int BatchSize { get; init; } = 24;

    /// <summary>Genomes asked first, before any random one (spilling into later batches if there are many).</summary>
    public IReadOnlyList<Genome> InitialGenomes { get; init; } = [];

    [JsonIgnore]
    public override string OptimizerName => RandomSearchOptimizer.OptimizerName;

    public override void Validate(GeneSpace space)
    {
        if (BatchSize < 1)
        {
            throw new ArgumentException($"random search batch size must be at least 1 (got {BatchSize})");
        }
        foreach (var genome in InitialGenomes)
        {
            space.Validate(genome);
        }
    }
}
