namespace EvoMerge.Search.Configuration;

/// <summary>Cheap-first scoring: score <see cref="Fraction"/> of each objective task first and stop when a paired test at <see cref="Confidence"/> shows the candidate is dominated.</summary>
public sealed record CheapFirstConfig(bool Enabled, double Fraction, double Confidence)
{
    /// <summary>Cheap-first scoring switched off.</summary>
    public static CheapFirstConfig Off { get; } = new(false, 1.0, 0.99);
}
