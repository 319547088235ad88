using EvoMerge.Tensors.Routed;

namespace EvoMerge.Search.Configuration;

/// <summary>
/// Config <c>genome.routed</c> (docs/routed-merges.md): every candidate is a routed-experts model whose backbone is
/// the static merge the rest of the genome describes (<c>genome.methods</c> are then the backbone methods, the method
/// gene chooses among them). Genes: the experts' rank, a categorical gene over <see cref="Ranks"/> (null = full rank,
/// written as <c>energy: 1</c>), and the router temperature, a real gene on a log scale over
/// [<see cref="TemperatureLow"/>, <see cref="TemperatureHigh"/>]; either is a fixed setting when its list has one entry
/// or its range one value. The router layer, granularity and top_k are settings.
/// </summary>
public sealed record RoutedGenomeConfig
{
    /// <summary>The ranks the rank gene chooses from, in config order (null: full rank).</summary>
    public required IReadOnlyList<int?> Ranks { get; init; }

    /// <summary>Lowest router temperature (positive).</summary>
    public required double TemperatureLow { get; init; }

    /// <summary>Highest router temperature (≥ <see cref="TemperatureLow"/>).</summary>
    public required double TemperatureHigh { get; init; }

    /// <summary>The layer whose input the router reads; experts act from it on.</summary>
    public int Layer { get; init; }

    /// <summary>Sequence or token routing.</summary>
    public RoutingGranularity Granularity { get; init; } = RoutingGranularity.Sequence;

    /// <summary>Experts mixed per input.</summary>
    public int TopK { get; init; } = 1;

    /// <summary>Whether the rank is a gene (more than one rank listed).</summary>
    public bool RankIsGene => Ranks.Count > 1;

    /// <summary>Whether the temperature is a gene (a range wider than one value).</summary>
    public bool TemperatureIsGene => TemperatureHigh > TemperatureLow;

    /// <summary>The temperature of gene value <paramref name="gene"/> in [0, 1]: log-linear from low to high, clamped to the range.</summary>
    public double Temperature(double gene)
    {
        if (!TemperatureIsGene) return TemperatureLow;
        double low = Math.Log(TemperatureLow), high = Math.Log(TemperatureHigh);
        return Math.Clamp(Math.Exp(low + Math.Clamp(gene, 0.0, 1.0) * (high - low)), TemperatureLow, TemperatureHigh);
    }
}
