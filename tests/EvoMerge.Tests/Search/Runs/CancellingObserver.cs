using EvoMerge.Search.Runs;

namespace EvoMerge.Tests.Search.Runs;

/// <summary>Records evaluations and cancels its token once a given candidate of a given generation was evaluated.</summary>
public sealed class CancellingObserver(int generation, int index) : ISearchObserver
{
    public CancellationTokenSource Cancellation { get; } = new();

    public List<EvaluationRecord> Records { get; } = [];

    public void GenerationStarted(int generation, int candidates)
    {
    }

    public void EvaluationFinished(EvaluationRecord record)
    {
        Records.Add(record);
        if (record.Generation == generation && record.Index == index) Cancellation.Cancel();
    }

    public void GenerationFinished(GenerationStatistics statistics)
    {
    }
}
