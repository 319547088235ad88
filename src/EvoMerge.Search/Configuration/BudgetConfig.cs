namespace EvoMerge.Search.Configuration;

/// <summary>When a search stops (checked between generations); null limits do not apply.</summary>
public sealed record BudgetConfig(int? Generations, int? Evaluations, double? WallClockSeconds)
{
    /// <summary>
    /// The limit reached after <paramref name="generations"/> generations, <paramref name="evaluations"/> candidates
    /// scored and <paramref name="elapsedSeconds"/> of search: the evaluation budget when it is reached (the
    /// reproducible stop), else the wall clock, else the generation limit, else <see cref="BudgetLimit.None"/>.
    /// </summary>
    public BudgetLimit LimitReached(int generations, int evaluations, double elapsedSeconds) =>
        Evaluations is { } e && evaluations >= e ? BudgetLimit.Evaluations
        : WallClockSeconds is { } w && elapsedSeconds >= w ? BudgetLimit.WallClock
        : Generations is { } g && generations >= g ? BudgetLimit.Generations
        : BudgetLimit.None;
}
