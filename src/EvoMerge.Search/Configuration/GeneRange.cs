namespace EvoMerge.Search.Configuration;

/// <summary>The closed interval [Low, High] a gene in [0, 1] is mapped to linearly.</summary>
public readonly record struct GeneRange(double Low, double High)
{
    /// <summary>Low + gene·(High − Low).</summary>
    public double Map(double gene) => Low + gene * (High - Low);

    /// <summary>The gene that maps to <paramref name="value"/> (clamped to [0, 1]; 0 for an empty range).</summary>
    public double Unmap(double value) => High == Low ? 0.0 : Math.Clamp((value - Low) / (High - Low), 0.0, 1.0);
}
