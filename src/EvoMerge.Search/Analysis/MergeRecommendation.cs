using EvoMerge.Merging.Methods;

namespace EvoMerge.Search.Analysis;

/// <summary>
/// The method and starting parameters <c>evomerge analyze</c> suggests, with the rules that led there (docs/analyze.md,
/// "Recommendation rules"); <see cref="Method"/> is "none" when the models should not be merged as they are.
/// </summary>
public sealed record MergeRecommendation(string Method, IReadOnlyDictionary<string, double> Parameters, IReadOnlyList<string> Reasons)
{
    /// <summary>Relative task-vector norm ‖θ − θ_base‖ / ‖θ_base‖ above which a model is not taken for a fine-tune of the base.</summary>
    public const double BaseMatchThreshold = 0.5;

    /// <summary>Mean pairwise sign-conflict rate from which TIES's sign election is recommended for two models.</summary>
    public const double SignConflictThreshold = 0.4;

    /// <summary>The share of each task vector's energy the recommended TIES density keeps at least.</summary>
    public const double KeptEnergyTarget = 0.8;

    private static readonly string Slerp = new SlerpMerge().Name;

    /// <summary>Applies the rules, in order, to a finished analysis.</summary>
    public static MergeRecommendation From(IReadOnlyList<string> models, IReadOnlyList<CompatibilityCheck> checks, GroupStatistics? total, IReadOnlyList<InterpolationPath> paths)
    {
        static MergeRecommendation None(params string[] reasons) => new("none", new Dictionary<string, double>(), reasons);
        var failed = checks.Where(c => !c.Passed).ToList();
        if (failed.FirstOrDefault(c => c.Aspect is "architecture" or "tensor shapes") is { } shape)
            return None($"R1: {shape.Model}: {shape.Aspect} differ from the base ({shape.Detail}); tensors cannot be combined element by element");
        if (failed.FirstOrDefault(c => c.Aspect == "tokenizer") is { } tokenizer)
            return None($"R2: {tokenizer.Model}: tokenizer differs ({tokenizer.Detail}); token ids mean different tokens, merge only with a tokenizer merge (tokenizer: section) or not at all");
        if (failed.FirstOrDefault(c => c.Aspect == "base match") is { } foreign)
            return None($"R3: {foreign.Model} is not a fine-tune of the base ({foreign.Detail}); task vectors of another base carry no shared meaning");
        if (paths.FirstOrDefault(p => p.HasBarrier) is { } barrier)
            return None($"R4: the path {barrier.From} → {barrier.To} rises by {barrier.Barrier:G3} {barrier.Metric} on {barrier.Task} above the ends' noise {barrier.Noise:G3}: the models sit in different basins");
        if (total is null) return None("R1: no task-vector statistics (the models could not be compared)");
        if (models.Count == 1)
        {
            var toward = paths.Where(p => p.To == models[0]).ToList();
            double weight = toward.Count > 0 ? toward.Average(p => p.BestT) : 1.0;
            return new(TaskArithmeticMerge.MethodName, new Dictionary<string, double> { ["weight"] = weight },
                [$"R5: one model: interpolate from the base toward it (WiSE-FT), weight {weight:0.0#} ({(toward.Count > 0 ? "the best t of the base → model paths" : "the model itself; run with --task to find the best point on the path")})"]);
        }
        double conflict = total.Pairs.Average(p => p.SignConflictRate ?? 0);
        if (models.Count == 2 && conflict < SignConflictThreshold)
        {
            var between = paths.Where(p => p.From == models[0] && p.To == models[1]).ToList();
            double t = between.Count > 0 ? between.Average(p => p.BestT) : 0.5;
            return new(Slerp, new Dictionary<string, double> { ["t"] = t },
                [$"R6: two models whose task vectors agree in sign ({conflict:P0} conflicts < {SignConflictThreshold:P0}): {Slerp} between them, t {t:0.0#}"]);
        }
        int d = Enumerable.Range(0, TaskVectorMeasures.Densities.Count).FirstOrDefault(d => total.TrimEnergyKept.All(k => k[d] >= KeptEnergyTarget), TaskVectorMeasures.Densities.Count - 1);
        double density = TaskVectorMeasures.Densities[d];
        return new(TiesMerge.MethodName, new Dictionary<string, double> { ["density"] = density, ["weight"] = 1.0 },
            [$"R7: {models.Count} models with {conflict:P0} sign conflicts: TIES elects a sign per element and trims the small deltas that carry the conflicts",
             $"R8: density {density:0.0} is the smallest of 0.1…0.9 at which trimming keeps ≥ {KeptEnergyTarget:P0} of every task vector's energy; weight 1.0 each (normalized)"]);
    }
}
