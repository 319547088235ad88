namespace EvoMerge.Search.Sweeps;

/// <summary>
/// Greedy soup (Wortsman et al. 2022, "Model soups", Recipe 1): sort the ingredients by their own dev score, best
/// first (ties keep the given order; an ingredient without a finite score goes last); the soup starts as the best
/// ingredient alone; then each further ingredient is tried in that order and kept if and only if the dev score of the
/// uniform average of the soup with it is greater than or equal to the soup's dev score so far (a NaN score is not
/// kept; while the soup's own score is NaN, because every ingredient failed, any finite score is kept).
/// Scores are higher-is-better; the soup's score only ever rises or stays.
/// </summary>
public static class GreedySoup
{
    /// <summary>
    /// Cooks the soup. <paramref name="ingredientScores"/>: each ingredient's own dev score; <paramref name="soupScore"/>:
    /// the dev score of the uniform average of the given ingredients (indices, ascending), called once per tried soup.
    /// </summary>
    public static GreedySoupResult Cook(IReadOnlyList<double> ingredientScores, Func<IReadOnlyList<int>, double> soupScore)
    {
        if (ingredientScores.Count == 0) throw new ArgumentException("greedy soup needs at least one ingredient");
        var order = Enumerable.Range(0, ingredientScores.Count)
            .OrderByDescending(i => double.IsFinite(ingredientScores[i]) ? ingredientScores[i] : double.NegativeInfinity)
            .ToArray();
        var soup = new List<int> { order[0] };
        double score = ingredientScores[order[0]];
        var steps = new List<GreedySoupStep>();
        foreach (int ingredient in order.Skip(1))
        {
            int[] tried = [.. soup.Append(ingredient).Order()];
            double candidate = soupScore(tried);
            bool kept = candidate >= score || (double.IsNaN(score) && double.IsFinite(candidate));
            steps.Add(new GreedySoupStep(ingredient, tried, candidate, kept));
            if (!kept) continue;
            soup.Add(ingredient);
            score = candidate;
        }
        return new GreedySoupResult(order, [.. soup.Order()], score, steps);
    }
}
