using EvoMerge.Search.Scoring;

namespace EvoMerge.Search.Runs;

/// <summary>
/// Where a generation's candidates are materialised and scored: in this process (<see cref="LocalEvaluationBackend"/>)
/// or elsewhere (cluster workers). Results may be computed anywhere and in any order, but are yielded in job order, so
/// the run applies them (cache, archive, log, checkpoint) exactly as a single process does.
/// </summary>
public interface IEvaluationBackend : IDisposable
{
    /// <summary>
    /// Evaluates <paramref name="jobs"/>, yielding one evaluation per job in job order. The caller checks
    /// <paramref name="cancellation"/> between results; a backend may also throw <see cref="OperationCanceledException"/>
    /// while it waits. A failed materialisation or scoring is a failed evaluation, not an exception.
    /// </summary>
    IEnumerable<CandidateEvaluation> Evaluate(IReadOnlyList<EvaluationJob> jobs, CancellationToken cancellation);
}
