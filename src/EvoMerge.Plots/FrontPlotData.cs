using EvoMerge.Search.Runs;

namespace EvoMerge.Plots;

/// <summary>
/// What the Pareto front plot shows, in the objectives' own directions: every fully scored candidate, the archive
/// members, and the reference models (base, sources, plain merges) that could be scored. <paramref name="Generation"/>
/// is the last completed generation, numbered from 0 as in the logs (see <see cref="GenerationNumbering"/>).
/// </summary>
public sealed record FrontPlotData(
    string XLabel,
    string YLabel,
    IReadOnlyList<(double X, double Y)> Evaluated,
    IReadOnlyList<(double X, double Y)> Archive,
    IReadOnlyList<(string Label, ReferenceKind Kind, double X, double Y)> References,
    int Generation)
{
    /// <summary>The plot's title, naming <see cref="Generation"/>.</summary>
    public string Title => $"Pareto front after generation {Generation}";

    /// <summary>The plot data of a run after its last generation: objectives 0 and 1 (the run must have two or more).</summary>
    public static FrontPlotData Of(SearchRun run, IReadOnlyList<ReferenceModel> references)
    {
        var objectives = run.Setup.Config.Objectives;
        if (objectives.Count < 2) throw new ArgumentException("a front plot needs two objectives");
        static string Label(Search.Configuration.ObjectiveConfig o) => $"{o.Name} ({o.Metric}, {(o.Maximize ? "higher" : "lower")} is better)";
        static bool Finite(double[] v) => double.IsFinite(v[0]) && double.IsFinite(v[1]);
        return new FrontPlotData(
            Label(objectives[0]),
            Label(objectives[1]),
            [.. run.Evaluated.Where(e => e.Status == Search.Scoring.EvaluationStatus.Scored && Finite(e.Objectives)).Select(e => (e.Objectives[0], e.Objectives[1]))],
            [.. run.Archive.Select(m => m.Payload.Objectives).Where(Finite).Select(v => (v[0], v[1]))],
            [.. references.Where(r => r.IsScored).Select(r => (r.Label, r.Kind, r.Objectives[0], r.Objectives[1]))],
            GenerationNumbering.Last(run.Generation) ?? throw new ArgumentException("a front plot needs a completed generation"));
    }
}
