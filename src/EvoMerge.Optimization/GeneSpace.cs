using System.Text.Json.Serialization;

namespace EvoMerge.Optimization;

/// <summary>
/// What the optimizers search over: <see cref="RealCount"/> real genes in [0, 1] and one categorical gene per entry of
/// <see cref="CategoryCounts"/>, each with that many choices (0 .. count − 1). Equality compares the contents.
/// </summary>
public sealed record GeneSpace
{
    /// <summary>A space; counts are validated.</summary>
    public GeneSpace(int realCount, IReadOnlyList<int> categoryCounts)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(realCount);
        ArgumentNullException.ThrowIfNull(categoryCounts);
        int[] counts = [.. categoryCounts];
        if (counts.Any(c => c < 1))
        {
            throw new ArgumentException("every categorical gene needs at least one choice", nameof(categoryCounts));
        }
        if (realCount + counts.Length == 0)
        {
            throw new ArgumentException("a gene space needs at least one gene");
        }
        RealCount = realCount;
        CategoryCounts = counts;
    }

    /// <summary>Number of real genes.</summary>
    public int RealCount { get; }

    /// <summary>Number of choices of each categorical gene.</summary>
    public IReadOnlyList<int> CategoryCounts { get; }

    /// <summary>Number of categorical genes.</summary>
    [JsonIgnore]
    public int CategoryGeneCount => CategoryCounts.Count;

    /// <summary>A space of <paramref name="count"/> real genes only.</summary>
    public static GeneSpace Reals(int count) => new(count, []);

    /// <summary>A genome with every gene drawn uniformly.</summary>
    public Genome RandomGenome(SearchRandom random)
    {
        var reals = new double[RealCount];
        for (int i = 0; i < reals.Length; i++)
        {
            reals[i] = random.NextDouble();
        }
        var categories = new int[CategoryGeneCount];
        for (int j = 0; j < categories.Length; j++)
        {
            categories[j] = random.NextInt(CategoryCounts[j]);
        }
        return new Genome(reals, categories);
    }

    /// <summary>Why <paramref name="genome"/> does not belong to this space, or null when it does.</summary>
    /// <param name="genome">The genome to check.</param>
    /// <param name="realsInUnitInterval">Whether real genes must lie in [0, 1] (false for unbounded optimisation).</param>
    public string? Problem(Genome genome, bool realsInUnitInterval = true)
    {
        if (genome.Reals.Length != RealCount || genome.Categories.Length != CategoryGeneCount)
        {
            return $"genome has {genome.Reals.Length} real and {genome.Categories.Length} categorical genes, the space {RealCount} and {CategoryGeneCount}";
        }
        for (int i = 0; i < RealCount; i++)
        {
            double x = genome.Reals[i];
            if (!double.IsFinite(x) || (realsInUnitInterval && (x < 0.0 || x > 1.0)))
            {
                return $"real gene {i} is {x}, outside {(realsInUnitInterval ? "[0, 1]" : "the finite numbers")}";
            }
        }
        for (int j = 0; j < CategoryGeneCount; j++)
        {
            if (genome.Categories[j] < 0 || genome.Categories[j] >= CategoryCounts[j])
            {
                return $"categorical gene {j} is {genome.Categories[j]}, outside 0..{CategoryCounts[j] - 1}";
            }
        }
        return null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="genome"/> does not belong to this space.</summary>
    public void Validate(Genome genome, bool realsInUnitInterval = true)
    {
        ArgumentNullException.ThrowIfNull(genome);
        if (Problem(genome, realsInUnitInterval) is { } problem)
        {
            throw new ArgumentException(problem, nameof(genome));
        }
    }

    public bool Equals(GeneSpace? other) =>
        other is not null && RealCount == other.RealCount && CategoryCounts.SequenceEqual(other.CategoryCounts);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(RealCount);
        foreach (int count in CategoryCounts)
        {
            hash.Add(count);
        }
        return hash.ToHashCode();
    }
}
