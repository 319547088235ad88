using EvoMerge.Cluster;

namespace EvoMerge.Tests.Cluster;

/// <summary>An orchestrator's receiver played by the test: it keeps every result a worker reports.</summary>
public sealed class RecordingEvaluationReceiver : IEvaluationReceiver
{
    private readonly Lock _gate = new();
    private readonly List<CandidateResult> _results = [];

    /// <summary>The results reported so far, in arrival order.</summary>
    public IReadOnlyList<CandidateResult> Results
    {
        get
        {
            lock (_gate) return [.. _results];
        }
    }

    public Task Report(CandidateResult result)
    {
        lock (_gate) _results.Add(result);
        return Task.CompletedTask;
    }
}
