using System.Globalization;
using EvoMerge.Tensors.Routed;

namespace EvoMerge.Demo.Tables;

/// <summary>
/// One candidate of the demo table's routed row (docs/routed-merges.md): the experts' rank (null: full rank, every
/// significant singular value kept) and the prototype router's top-k and temperature, routing each sequence from the
/// residual stream entering layer 0 (so the experts act in every layer).
/// </summary>
/// <param name="Rank">Fixed rank of each expert's factors, or null for full rank (energy 1).</param>
/// <param name="TopK">Experts mixed per sequence (1: hard routing to the nearest prototype; the temperature then does not matter).</param>
/// <param name="Temperature">Softmax temperature over negative prototype distances.</param>
public sealed record RoutedGridPoint(int? Rank, int TopK, double Temperature)
{
    /// <summary>Ranks tried (null: full).</summary>
    public static readonly int?[] Ranks = [8, 32, null];

    /// <summary>Temperatures tried when all experts are mixed.</summary>
    public static readonly double[] Temperatures = [0.1, 1.0];

    /// <summary>Short label, e.g. <c>r=8 top-1</c> or <c>r=full top-3 T=0.1</c>.</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture,
        $"r={(Rank is { } r ? r.ToString(CultureInfo.InvariantCulture) : "full")} top-{TopK}{(TopK > 1 ? $" T={Temperature:0.0##}" : "")}");

    /// <summary>
    /// The grid, cheapest first: per rank (ascending, full last), hard routing (top-1), then all
    /// <paramref name="experts"/> mixed at each of <see cref="Temperatures"/>.
    /// </summary>
    public static IReadOnlyList<RoutedGridPoint> Grid(int experts) =>
        [.. Ranks.SelectMany(rank => new[] { new RoutedGridPoint(rank, 1, 1.0) }
            .Concat(experts > 1 ? Temperatures.Select(t => new RoutedGridPoint(rank, experts, t)) : []))];

    /// <summary>The config.json block of this point for <paramref name="sources"/> (their names, one expert each).</summary>
    public RoutedExpertsConfig Block(IReadOnlyList<string> sources) => new()
    {
        Experts = sources.Count,
        Sources = sources,
        Rank = Rank,
        Energy = Rank is null ? 1.0 : null,
        RouterLayer = 0,
        Temperature = Temperature,
        Granularity = RoutingGranularity.Sequence,
        TopK = TopK,
    };
}
