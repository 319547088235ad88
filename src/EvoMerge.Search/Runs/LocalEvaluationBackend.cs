using System.Diagnostics;
using EvoMerge.Search.Materialization;
using EvoMerge.Search.Scoring;

namespace EvoMerge.Search.Runs;

/// <summary>
/// Evaluates candidates in this process, one after another, lazily: a job is materialised and scored when its result
/// is asked for (so a cancellation between results leaves the rest undone). Loads the base and source models once.
/// </summary>
public sealed class LocalEvaluationBackend : IEvaluationBackend
{
    private readonly SearchSetup _setup;
    private readonly CandidateEvaluator _evaluator;

    /// <summary>Loads <paramref name="setup"/>'s sources.</summary>
    public LocalEvaluationBackend(SearchSetup setup)
    {
        _setup = setup;
        _evaluator = setup.CreateEvaluator();
        Materializer = setup.CreateMaterializer();
    }

    /// <summary>The materialiser (its model holds the last candidate).</summary>
    public CandidateMaterializer Materializer { get; }

    public IEnumerable<CandidateEvaluation> Evaluate(IReadOnlyList<EvaluationJob> jobs, CancellationToken cancellation)
    {
        foreach (var job in jobs) yield return Evaluate(job);
    }

    /// <summary>Materialises and scores one job; a failure (or NaN) becomes a failed evaluation with its reason.</summary>
    public CandidateEvaluation Evaluate(EvaluationJob job)
    {
        int objectives = _setup.Config.Objectives.Count, constraints = _setup.Config.Constraints.Count;
        var clock = Stopwatch.StartNew();
        double materialize = 0;
        try
        {
            Materializer.Materialize(job.Recipe);
            materialize = clock.Elapsed.TotalSeconds;
            return _evaluator.Evaluate(job.Recipe.Hash, Materializer.Model, job.Subsets, job.Front) with { MaterializeSeconds = materialize };
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            return CandidateEvaluation.Failure(job.Recipe.Hash, $"{(materialize == 0 ? "materialising" : "scoring")} failed: {e.Message}",
                objectives, constraints, materialize, clock.Elapsed.TotalSeconds - materialize);
        }
    }

    public void Dispose() => Materializer.Dispose();
}
