using EvoMerge.Search.Runs;

namespace EvoMerge.Plots;

/// <summary>
/// What the Pareto front plot shows, in the objectives' own directions: every fully scored candidate, the archive
/// members, and the reference models (base, sources, plain merges) that could be scored, each as one value per
/// objective of <paramref name="Objectives"/>. <paramref name="Generation"/> is the last completed generation,
/// numbered from 0 as in the logs (see <see cref="GenerationNumbering"/>).
/// </summary>
public sealed record FrontPlotData(
    IReadOnlyList<FrontAxis> Objectives,
    IReadOnlyList<double[]> Evaluated,
    IReadOnlyList<double[]> Archive,
    IReadOnlyList<(string Label, ReferenceKind Kind, double[] Objectives)> References,
    int Generation)
{
    /// <summary>The plot's title, naming <see cref="Generation"/>.</summary>
    public string Title => $"Pareto front after generation {Generation}";

    /// <summary>The plot data of a run after its last generation, every objective (the run must have two or more).</summary>
    public static FrontPlotData Of(SearchRun run, IReadOnlyList<ReferenceModel> references)
    {
        var objectives = run.Setup.Config.Objectives;
        if (objectives.Count < 2) throw new ArgumentException("a front plot needs two objectives");
        static bool Finite(double[] v) => v.All(double.IsFinite);
        return new FrontPlotData(
            [.. objectives.Select(o => new FrontAxis(o.Name, $"{o.Metric}, {(o.Maximize ? "higher" : "lower")} is better", o.Maximize))],
            [.. run.Evaluated.Where(e => e.Status == Search.Scoring.EvaluationStatus.Scored && Finite(e.Objectives)).Select(e => e.Objectives)],
            [.. run.Archive.Select(m => m.Payload.Objectives).Where(Finite)],
            [.. references.Where(r => r.IsScored && Finite(r.Objectives)).Select(r => (r.Label, r.Kind, r.Objectives))],
            GenerationNumbering.Last(run.Generation) ?? throw new ArgumentException("a front plot needs a completed generation"));
    }
}
