namespace EvoMerge.Search.Configuration;

/// <summary>When a search stops (checked between generations); null limits do not apply.</summary>
public sealed record BudgetConfig(int? Generations, int? Evaluations, double? WallClockSeconds);
