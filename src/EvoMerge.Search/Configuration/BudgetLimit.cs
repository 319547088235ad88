namespace EvoMerge.Search.Configuration;

/// <summary>The limit of a <see cref="BudgetConfig"/> that stopped a search (<see cref="BudgetConfig.LimitReached"/>).</summary>
public enum BudgetLimit
{
    /// <summary>No limit is reached yet.</summary>
    None,

    /// <summary>The evaluation budget: candidates scored, so the result does not depend on the machine's speed.</summary>
    Evaluations,

    /// <summary>The generation limit.</summary>
    Generations,

    /// <summary>The wall-clock guard: where the search stopped depends on the machine's speed.</summary>
    WallClock,
}
