using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Search.Scoring;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EvoMerge.Tests.Search.Scoring;

/// <summary>
/// The dry run's scoring estimate on a scorer whose cost is known by hand: like the evaluator's generation it scores
/// in batches of 8 items at 1 s a batch, and its first call costs 5 s more (warm-up). Scoring all 200 items then
/// costs ⌈200 / 8⌉ = 25 s.
/// </summary>
public class TaskScoringTimeTests
{
    private sealed class BatchedScorer(FakeTimeProvider clock) : ITaskScorer
    {
        private bool _warm;

        public List<int[]> Calls { get; } = [];

        public string Name => "batched";

        public string File => "/batched.yml";

        public string Split => "dev";

        public bool IsTestSplit => false;

        public string? FewshotSplit => null;

        public bool FewshotIsTestSplit => false;

        public int ItemCount => 200;

        public IReadOnlyList<string> Metrics => ["acc"];

        public bool IsItemMean(string metric) => true;

        public bool HigherIsBetter(string metric) => true;

        public IReadOnlyDictionary<string, double[]> ScoreItems(DecoderModel model, IReadOnlyList<int> items)
        {
            Calls.Add([.. items]);
            clock.Advance(TimeSpan.FromSeconds((_warm ? 0 : 5) + (items.Count + 7) / 8));
            _warm = true;
            return new Dictionary<string, double[]> { ["acc"] = new double[items.Count] };
        }

        public double Aggregate(string metric, IReadOnlyList<double> itemValues) => 0;
    }

    [Fact]
    public void SpreadPicksEvenlySpacedItemsOrAll()
    {
        Assert.Equal([0, 50, 100, 150], TaskScoringTime.Spread(4, 200));
        Assert.Equal([0, 2, 4], TaskScoringTime.Spread(3, 7)); // ⌊0·7/3⌋, ⌊7/3⌋ = ⌊2.33⌋, ⌊14/3⌋ = ⌊4.67⌋
        Assert.Equal([0, 1, 2], TaskScoringTime.Spread(64, 3));
    }

    [Fact]
    public void EstimateAfterWarmUpTimesABatchedSampleAndExtrapolates()
    {
        var clock = new FakeTimeProvider();
        var task = new BatchedScorer(clock);
        TaskScoringTime.WarmUp(task, null!);
        var (seconds, sampled) = TaskScoringTime.Estimate(task, null!, clock);
        // 64 items: 8 batches = 8 s, extrapolated to 200 items: 8 · 200 / 64 = 25 s (the true cost). Timing 8 cold
        // items instead (5 + 1 s) and scaling by 200 / 8 would say 150 s.
        Assert.Equal(64, sampled);
        Assert.Equal(25.0, seconds, 9);
        Assert.Equal([0, 50, 100, 150], task.Calls[0]);
        Assert.Equal(TaskScoringTime.Spread(64, 200), task.Calls[1]);
    }
}
