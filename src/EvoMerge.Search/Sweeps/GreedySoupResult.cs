namespace EvoMerge.Search.Sweeps;

/// <summary>What <see cref="GreedySoup.Cook"/> did.</summary>
/// <param name="Order">The ingredients by their own dev score, best first (the order they were tried in).</param>
/// <param name="Soup">The ingredients in the final soup, ascending.</param>
/// <param name="Score">The final soup's dev score.</param>
/// <param name="Steps">One step per ingredient after the first, in <paramref name="Order"/>.</param>
public sealed record GreedySoupResult(IReadOnlyList<int> Order, IReadOnlyList<int> Soup, double Score, IReadOnlyList<GreedySoupStep> Steps);
