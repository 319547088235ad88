using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Search.Scoring;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EvoMerge.Tests.Search.Scoring;

/// <summary>
/// The dry run's scoring estimate on a scorer whose cost is known by hand: like the evaluator's generation it scores
/// in batches of 8 items at 1 s a batch, and its first call costs 5 s more (warm-up). Scoring all 800 items then
/// costs 800 / 8 = 100 s.
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

        public int ItemCount => 800;

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
        // 256 items: 32 batches = 32 s, extrapolated to 800 items: 32 · 800 / 256 = 100 s (the true cost). Timing 8
        // cold items instead (5 + 1 s) and scaling by 800 / 8 would say 600 s.
        Assert.Equal(256, sampled);
        Assert.Equal(100.0, seconds, 9);
        Assert.Equal([0, 200, 400, 600], task.Calls[0]);
        Assert.Equal(TaskScoringTime.Spread(256, 800), task.Calls[1]);
    }
}
