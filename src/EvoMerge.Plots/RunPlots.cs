using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using EvoMerge.Tensors;

namespace EvoMerge.Plots;

/// <summary>
/// An observer that rewrites the run directory's plots after every generation, each atomically (temporary file,
/// then rename): <c>pareto-front.png</c> (two or more objectives) and <c>hypervolume.png</c>. The reference points
/// are scored once, at the first plot, and kept in <c>references.json</c> (see <see cref="ReferenceScoring"/>); with
/// <paramref name="scoreCache"/> they go through the per-machine score cache the run's config and environment name
/// (<see cref="ScoreCacheLocation"/>; off when false, as in tests that build a RunPlots without saying). A run that
/// evaluates on a cluster has no models loaded here, so its front plot shows no reference points.
/// A failure to plot is reported through <paramref name="warn"/> and never stops the search.
/// </summary>
public sealed class RunPlots(Action<string>? warn = null, bool scoreCache = false) : ISearchObserver
{
    private SearchRun? _run;
    private IReadOnlyList<ReferenceModel>? _references;

    /// <summary>Plots <paramref name="run"/> from now on (before it runs).</summary>
    public void Attach(SearchRun run) => _run = run;

    /// <summary>Writes the plots of <paramref name="run"/> as it stands.</summary>
    public void Write(SearchRun run)
    {
        var files = new RunFiles(run.Setup.Config.RunDirectory);
        if (run.Setup.Config.Objectives.Count >= 2)
        {
            _references ??= run.EvaluatesLocally ? ReferenceScoring.LoadOrScore(run, ScoreCacheLocation.Open(run.Setup.Config, scoreCache, warn)) : [];
            AtomicFile.WriteAllBytes(files.FrontPlot, ParetoFrontPlot.Render(FrontPlotData.Of(run, _references)));
        }
        AtomicFile.WriteAllBytes(files.HypervolumePlot, HypervolumePlot.Render(run.Statistics));
    }

    public void GenerationStarted(int generation, int candidates)
    {
    }

    public void EvaluationFinished(EvaluationRecord record)
    {
    }

    public void GenerationFinished(GenerationStatistics statistics)
    {
        if (_run is null) return;
        try
        {
            Write(_run);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            warn?.Invoke($"plots of generation {statistics.Generation} not written: {e.Message}");
        }
    }
}
