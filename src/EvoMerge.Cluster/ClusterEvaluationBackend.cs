using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;

namespace EvoMerge.Cluster;

/// <summary>
/// Evaluates a generation on the cluster's workers through the <see cref="WorkerPool"/>: every job is queued at once,
/// results are yielded in job order as they complete, so the run applies them as a single process would.
/// </summary>
public sealed class ClusterEvaluationBackend : IEvaluationBackend
{
    private readonly WorkerPool _pool;
    private readonly WorkSession _session;

    /// <summary>A backend for <paramref name="setup"/>'s run over <paramref name="pool"/>.</summary>
    public ClusterEvaluationBackend(WorkerPool pool, SearchSetup setup)
    {
        _pool = pool;
        _session = WorkSession.Of(setup);
        pool.ObjectiveCount = setup.Config.Objectives.Count;
        pool.ConstraintCount = setup.Config.Constraints.Count;
    }

    public IEnumerable<CandidateEvaluation> Evaluate(IReadOnlyList<EvaluationJob> jobs, CancellationToken cancellation)
    {
        if (jobs.Count == 0) yield break;
        var results = _pool.Submit(_session, jobs);
        try
        {
            foreach (var result in results) yield return result.WaitAsync(cancellation).GetAwaiter().GetResult();
        }
        finally
        {
            _pool.EndBatch();
        }
    }

    public void Dispose()
    {
    }
}
