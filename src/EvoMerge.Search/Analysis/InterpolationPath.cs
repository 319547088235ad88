namespace EvoMerge.Search.Analysis;

/// <summary>
/// One task's primary metric along the linear path θ(t) = (1 − t)·θ_From + t·θ_To at <see cref="Points"/>, with the
/// basin verdict of docs/analyze.md: with b(t) the loss-like value (the metric, negated when higher is better), the
/// barrier is max over interior t of b(t) − ((1 − t)·b(0) + t·b(1)); it counts when it exceeds the ends' noise,
/// max(2·max(SE(0), SE(1)), 0.01·max(|b(0)|, |b(1)|)).
/// </summary>
public sealed record InterpolationPath(string From, string To, string Task, string Metric, bool HigherIsBetter,
    IReadOnlyList<double> T, IReadOnlyList<double> Values, IReadOnlyList<double?> StandardErrors)
{
    /// <summary>t = 0, 0.1, …, 1.</summary>
    public static IReadOnlyList<double> Points { get; } = [.. Enumerable.Range(0, 11).Select(i => i / 10.0)];

    /// <summary>The largest rise of the loss-like value above the straight line between the ends (≤ 0: none).</summary>
    public double Barrier => Enumerable.Range(1, T.Count - 2).Select(i => Loss(i) - ((1 - T[i]) * Loss(0) + T[i] * Loss(T.Count - 1))).DefaultIfEmpty(0).Max();

    /// <summary>The ends' noise a barrier must exceed.</summary>
    public double Noise => Math.Max(2 * Math.Max(StandardErrors[0] ?? 0, StandardErrors[^1] ?? 0), 0.01 * Math.Max(Math.Abs(Values[0]), Math.Abs(Values[^1])));

    /// <summary>True when the path rises in the middle beyond the ends' noise (the ends sit in different basins).</summary>
    public bool HasBarrier => Barrier > Noise;

    /// <summary>The t with the best value (the first of equals).</summary>
    public double BestT => T[Enumerable.Range(0, T.Count).MinBy(Loss)];

    private double Loss(int i) => HigherIsBetter ? -Values[i] : Values[i];
}
