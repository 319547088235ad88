namespace EvoMerge.Search.Sweeps;

/// <summary>One try of greedy soup: the soup with <paramref name="Ingredient"/> added, its dev score, and whether it was kept.</summary>
/// <param name="Ingredient">The ingredient tried.</param>
/// <param name="Tried">The ingredients averaged (the soup so far and this one), ascending.</param>
/// <param name="Score">The dev score of their uniform average.</param>
/// <param name="Kept">True when <paramref name="Score"/> ≥ the soup's score so far.</param>
public sealed record GreedySoupStep(int Ingredient, IReadOnlyList<int> Tried, double Score, bool Kept);
