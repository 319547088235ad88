using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EvoMerge.Search.Analysis;

/// <summary>
/// The outcome of <c>evomerge analyze</c>: the checks and verdict, the task-vector statistics (the whole model first,
/// then per tensor kind, per layer, per kind of each layer), the interpolation paths and the recommendation; as a
/// terminal report or JSON.
/// </summary>
public sealed record AnalysisReport(string Base, IReadOnlyList<string> ModelPaths, IReadOnlyList<string> Models, IReadOnlyList<CompatibilityCheck> Checks,
    bool Compatible, IReadOnlyList<GroupStatistics> Groups, IReadOnlyList<InterpolationPath> Paths, MergeRecommendation Recommendation)
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>The whole model's group, or null when the models could not be compared.</summary>
    public GroupStatistics? Total => Groups.Count > 0 ? Groups[0] : null;

    /// <summary>The report as indented JSON (snake_case keys).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions) + "\n";

    /// <summary>The readable report.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        void Line(string line = "") => text.Append(line).Append('\n');
        Line($"base: {Base}");
        Line($"models: {string.Join(", ", Models)}");
        Line();
        Line("Compatibility");
        foreach (var check in Checks) Line($"  {(check.Passed ? "ok  " : "FAIL")}  {check.Model,-14} {check.Aspect,-14} {check.Detail}");
        Line(Compatible ? "verdict: compatible (every check passed)" : $"verdict: NOT compatible ({string.Join("; ", Checks.Where(c => !c.Passed).Select(c => c.Model + ": " + c.Aspect))})");
        if (Total is { } total)
        {
            Line();
            Line($"Task vectors δ = θ − θ_base (whole model; energy kept by TIES trimming at density {string.Join(" ", TaskVectorMeasures.Densities.Select(d => F(d, "0.0")))})");
            for (int i = 0; i < Models.Count; i++)
                Line($"  {Models[i],-14} ‖δ‖ {F(total.TaskVectorNorms[i], "0.000")}  ‖δ‖/‖base‖ {F(total.RelativeNorms[i], "0.0000")}  kept {string.Join(" ", total.TrimEnergyKept[i].Select(k => F(k, "0.00")))}");
            if (total.Pairs.Count > 0)
            {
                Line();
                Line("Pairs (whole model): cosine, sign-conflict rate, top-8 subspace overlap");
                foreach (var pair in total.Pairs) Line($"  {pair.A + " / " + pair.B,-30} cos {F(pair.Cosine, "+0.000;-0.000")}  conflict {F(pair.SignConflictRate, "0.000")}  overlap {F(pair.SubspaceOverlap, "0.000")}");
                Line();
                Line("Per tensor kind and per layer (mean over pairs; ‖δ‖/‖base‖ per model)");
                foreach (var group in Groups.Skip(1).Where(g => g.Layer is null || g.Kind == TensorKindGroup.AllKinds))
                    Line($"  {group.Group,-34} cos {F(Mean(group, p => p.Cosine), "+0.000;-0.000")}  conflict {F(Mean(group, p => p.SignConflictRate), "0.000")}  overlap {F(Mean(group, p => p.SubspaceOverlap), "0.000")}  rel {string.Join(" ", group.RelativeNorms.Select(r => F(r, "0.0000")))}");
            }
        }
        if (Paths.Count > 0)
        {
            Line();
            Line($"Interpolation paths (t = {string.Join(" ", InterpolationPath.Points.Select(t => F(t, "0.0")))}; the verdict on each task's loss)");
            foreach (var path in Paths)
            {
                Line($"  {path.From} → {path.To}, {path.Task} {path.Metric}: {string.Join(" ", path.Values.Select(v => F(v, "0.###")))}");
                Line($"    barrier {F(path.Barrier, "0.####")} vs noise {F(path.Noise, "0.####")}: {(path.HasBarrier ? "BARRIER (different basins)" : "one basin")}; best t {F(path.BestT, "0.0")}");
                if (path.Score is { } score) Line($"    {score.Metric} (shown, not judged): {string.Join(" ", score.Values.Select(v => F(v, "0.###")))}");
            }
        }
        Line();
        string parameters = string.Join(", ", Recommendation.Parameters.Select(p => $"{p.Key} {F(p.Value, "0.0#")}"));
        Line($"Recommendation: {Recommendation.Method}{(parameters.Length > 0 ? " (" + parameters + ")" : "")}");
        foreach (string reason in Recommendation.Reasons) Line($"  {reason}");
        return text.ToString();
    }

    private static double? Mean(GroupStatistics group, Func<PairStatistics, double?> value)
    {
        var values = group.Pairs.Select(value).OfType<double>().ToList();
        return values.Count > 0 ? values.Average() : null;
    }

    private static string F(double? value, string format) => value is double v ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}
