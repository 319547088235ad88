namespace EvoMerge.Search.Analysis;

/// <summary>
/// One task's loss (<c>evomerge analyze</c> walks <see cref="EvoMerge.Evaluation.TaskLoss"/>: <c>gold_nll</c>,
/// <c>target_nll</c> or <c>word_perplexity</c>) along the linear path θ(t) = (1 − t)·θ_From + t·θ_To at
/// <see cref="Points"/>, with the basin verdict of docs/analyze.md: with b(t) the loss-like value (the metric,
/// negated when higher is better), the barrier is the rise in the middle above the worse end,
/// max over interior t of b(t) − max(b(0), b(1)); it counts when it exceeds the ends' noise,
/// max(2·max(SE(0), SE(1)), 0.01·max(|b(0)|, |b(1)|)).
/// </summary>
public sealed record InterpolationPath(string From, string To, string Task, string Metric, bool HigherIsBetter,
    IReadOnlyList<double> T, IReadOnlyList<double> Values, IReadOnlyList<double?> StandardErrors)
{
    /// <summary>The task's first metric (acc, exact_match) at the same points when it is not the loss itself; null otherwise. Shown, not judged.</summary>
    public PathCurve? Score { get; init; }

    /// <summary>t = 0, 0.1, …, 1.</summary>
    public static IReadOnlyList<double> Points { get; } = [.. Enumerable.Range(0, 11).Select(i => i / 10.0)];

    /// <summary>
    /// The largest rise of the loss-like value in the middle above the worse of the two ends (≤ 0: none). Not the rise
    /// above the straight line between the ends: a path from a model without a skill to its fine-tune typically keeps
    /// the worse end's loss until late and then falls (monotone, above that line), in one basin.
    /// </summary>
    public double Barrier => Enumerable.Range(1, T.Count - 2).Select(i => Loss(i) - Math.Max(Loss(0), Loss(T.Count - 1))).DefaultIfEmpty(0).Max();

    /// <summary>The ends' noise a barrier must exceed.</summary>
    public double Noise => Math.Max(2 * Math.Max(StandardErrors[0] ?? 0, StandardErrors[^1] ?? 0), 0.01 * Math.Max(Math.Abs(Values[0]), Math.Abs(Values[^1])));

    /// <summary>True when the path rises in the middle beyond the ends' noise (the ends sit in different basins).</summary>
    public bool HasBarrier => Barrier > Noise;

    /// <summary>The t with the best value (the first of equals).</summary>
    public double BestT => T[Enumerable.Range(0, T.Count).MinBy(Loss)];

    private double Loss(int i) => HigherIsBetter ? -Values[i] : Values[i];
}
