using EvoMerge.Host;
using EvoMerge.Search.Runs;

namespace EvoMerge.Tests.Host;

/// <summary>Records <see cref="RunProgress.Activity"/>'s text at every event (placed after the progress in a fan-out, so it sees the event applied).</summary>
public sealed class ActivityRecorder(RunProgress progress) : ISearchObserver
{
    public List<string> Texts { get; } = [];

    public void GenerationStarted(int generation, int candidates) => Texts.Add(progress.Activity.Text);

    public void EvaluationFinished(EvaluationRecord record) => Texts.Add(progress.Activity.Text);

    public void GenerationFinished(GenerationStatistics statistics) => Texts.Add(progress.Activity.Text);

    public void ReferencesScored(int scored, int total) => Texts.Add(progress.Activity.Text);
}
