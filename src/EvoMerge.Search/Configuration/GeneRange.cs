namespace EvoMerge.Search.Configuration;

/// <summary>The closed interval [Low, High] a gene in [0, 1] is mapped to linearly.</summary>
public readonly record struct GeneRange(double Low, double High)
{
    /// <summary>Low + gene·(High − Low), kept within [Low, High] (rounding must not step outside the parameter's domain).</summary>
    public double Map(double gene) => Math.Clamp(Low + gene * (High - Low), Low, High);

    /// <summary>The gene that maps to <paramref name="value"/> (clamped to [0, 1]; 0 for an empty range).</summary>
    public double Unmap(double value) => High == Low ? 0.0 : Math.Clamp((value - Low) / (High - Low), 0.0, 1.0);
}
