using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Optimization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Scoring;
using Xunit;

namespace EvoMerge.Tests.Search.Scoring;

/// <summary>
/// Racing on hand-built per-item results: two objectives of 8 items, 2 rounds of 4, confidence 0.95 (z = 1.64485).
/// The archive member answers every item right (1). Expected values are worked by hand in each test.
/// </summary>
public class RacingTests
{
    private static string Config(string evaluation) => $$"""
        base_model: models/base
        models: [models/a, models/b]
        objectives:
          - {name: a, task: tasks/a.yml, metric: acc}
          - {name: b, task: tasks/b.yml, metric: acc}
        genome:
          methods: [task_arithmetic]
          layer_groups: 1
        optimizer: {name: nsga2, settings: {population_size: 4} }
        budget: {generations: 1}
        evaluation: {{evaluation}}
        seed: 1
        run_dir: runs/x
        """;

    /// <summary>A task whose per-item acc is a fixed list, ignoring the model; it counts the items asked for.</summary>
    private sealed class ListTask(string name, string file, double[] values) : ITaskScorer
    {
        public int Asked { get; private set; }
        public string Name => name;
        public string File => file;
        public string Split => "validation";
        public bool IsTestSplit => false;
        public string? FewshotSplit => null;
        public bool FewshotIsTestSplit => false;
        public int ItemCount => values.Length;
        public IReadOnlyList<string> Metrics => ["acc"];
        public bool IsItemMean(string metric) => true;
        public bool HigherIsBetter(string metric) => true;

        public IReadOnlyDictionary<string, double[]> ScoreItems(DecoderModel model, IReadOnlyList<int> items)
        {
            Asked += items.Count;
            return new Dictionary<string, double[]> { ["acc"] = items.Select(i => values[i]).ToArray() };
        }

        public double Aggregate(string metric, IReadOnlyList<double> itemValues) => itemValues.Average();
    }

    private static readonly double[] AllRight = [1, 1, 1, 1, 1, 1, 1, 1];

    /// <summary>Task a's items are scored last to first (round 1: items 7, 6, 5, 4), task b's in index order (round 1: 0–3).</summary>
    private static readonly Dictionary<string, int[]> Order = new(StringComparer.Ordinal)
    {
        ["a"] = [7, 6, 5, 4, 3, 2, 1, 0],
        ["b"] = [0, 1, 2, 3, 4, 5, 6, 7],
    };

    private static (CandidateEvaluation Evaluation, ListTask A, ListTask B) Race(double[] a, double[] b, double margin = 0)
    {
        var config = SearchConfigReader.Parse(Config($"{{racing: {{rounds: 2, confidence: 0.95, margin: {margin}}}}}"), "search.yml", "/work");
        var taskA = new ListTask("a", config.Objectives[0].Task, a);
        var taskB = new ListTask("b", config.Objectives[1].Task, b);
        var tasks = new Dictionary<string, ITaskScorer> { [taskA.File] = taskA, [taskB.File] = taskB };
        var member = ItemScores.From(new Dictionary<string, Dictionary<string, double[]>>
        {
            ["a"] = new() { ["acc"] = AllRight },
            ["b"] = new() { ["acc"] = AllRight },
        });
        var evaluation = new CandidateEvaluator(config, tasks).Evaluate("h", null!, Order, [member]);
        return (evaluation, taskA, taskB);
    }

    [Fact]
    public void A_candidate_the_member_beats_on_round_one_stops_there()
    {
        // Round 1, a: candidate [0, 0, 0, 1] on items 7..4, so d = [1, 1, 1, 0]: mean 0.75, sample variance 0.25,
        // standard error 0.25, lower bound 0.75 − 1.64485·0.25 = 0.339 > 0. b: both right on items 0–3, d = 0, bound 0 ≥ 0.
        var (evaluation, a, b) = Race(a: [1, 1, 1, 1, 1, 0, 0, 0], b: AllRight);
        Assert.Equal(EvaluationStatus.Screened, evaluation.Status);
        Assert.StartsWith("dominated by archive member 0 after round 1 of 2 (8 items;", evaluation.Reason);
        Assert.Equal(4, a.Asked);
        Assert.Equal(4, b.Asked);
        Assert.Equal(8, evaluation.ItemsEvaluated);
        Assert.Equal(8, evaluation.ItemsSaved);
        Assert.Equal([0.25, 1.0], evaluation.Objectives); // estimates on the items scored
        Assert.True(double.IsNaN(evaluation.ItemScores["a"]["acc"][0]), "item 0 of a was never scored");
    }

    [Fact]
    public void A_candidate_the_test_cannot_separate_from_the_member_is_scored_in_full()
    {
        // Round 1, a: candidate [0, 1, 1, 1] on items 7..4, d = [1, 0, 0, 0]: mean 0.25, sample variance 0.25,
        // standard error 0.25, bound 0.25 − 0.411 = −0.161 < 0: not dominated, so every item is scored.
        var (evaluation, a, b) = Race(a: [0, 0, 0, 0, 1, 1, 1, 0], b: AllRight);
        Assert.Equal(EvaluationStatus.Scored, evaluation.Status);
        Assert.Equal(8, a.Asked);
        Assert.Equal(8, b.Asked);
        Assert.Equal(16, evaluation.ItemsEvaluated);
        Assert.Equal(0, evaluation.ItemsSaved);
        Assert.Equal([0.375, 1.0], evaluation.Objectives);
    }

    [Theory]
    [InlineData(0.0, EvaluationStatus.Scored)]
    [InlineData(0.2, EvaluationStatus.Screened)]
    public void The_margin_lets_a_candidate_not_worse_on_one_objective_stop_when_it_is_worse_on_the_other(double margin, EvaluationStatus expected)
    {
        // a as above: bound −0.161 (fails margin 0, passes margin 0.2); b: candidate wrong on items 0–3, d = 1, bound 1 > 0.
        var (evaluation, _, _) = Race(a: [0, 0, 0, 0, 1, 1, 1, 0], b: [0, 0, 0, 0, 1, 1, 1, 1], margin);
        Assert.Equal(expected, evaluation.Status);
    }

    [Fact]
    public void Each_objective_is_tested_at_the_confidence_without_a_bonferroni_correction()
    {
        // d = [1, 1, 0, 0] on both objectives: mean 0.5, standard error √(1/3)/2 = 0.2887. At z(0.95) = 1.64485 the bound
        // is +0.025 (dominated); cheap-first's Bonferroni over two objectives uses z(0.975) = 1.95996: bound −0.066.
        PairedDominanceTest.PairedObjective Objective() => new([1, 1, 1, 1], [0, 0, 1, 1], Maximize: true);
        Assert.True(RacingDominanceTest.MemberDominates([Objective(), Objective()], 0.95, 0));
        Assert.False(PairedDominanceTest.MemberDominates([Objective(), Objective()], 0.95));
    }

    [Fact]
    public void A_minimised_objective_is_tested_in_its_own_direction()
    {
        // Loss-like values: the member's are lower (better), d = candidate − member = [1, 1, 1, 1] after the sign flip.
        var objective = new PairedDominanceTest.PairedObjective([0, 0, 0, 0], [1, 1, 1, 1], Maximize: false);
        Assert.True(RacingDominanceTest.MemberDominates([objective], 0.95, 0));
        Assert.False(RacingDominanceTest.MemberDominates([objective with { Maximize = true }], 0.95, 0));
    }

    [Fact]
    public void Racing_draws_one_full_random_order_per_objective_task_and_nothing_without_an_archive()
    {
        var config = SearchConfigReader.Parse(Config("{racing: {rounds: 4}}"), "search.yml", "/work");
        var tasks = new Dictionary<string, ITaskScorer>
        {
            [config.Objectives[0].Task] = new ListTask("a", config.Objectives[0].Task, AllRight),
            [config.Objectives[1].Task] = new ListTask("b", config.Objectives[1].Task, [.. AllRight, .. AllRight]),
        };
        var evaluator = new CandidateEvaluator(config, tasks);
        var random = new SearchRandom(3);
        string before = random.ExportState();
        Assert.Null(evaluator.DrawSubsets(random, frontCount: 0));
        Assert.Equal(before, random.ExportState());
        var drawn = evaluator.DrawSubsets(random, frontCount: 1)!;
        Assert.Equal(Enumerable.Range(0, 8), drawn["a"].Order());
        Assert.Equal(Enumerable.Range(0, 16), drawn["b"].Order());
        Assert.NotEqual(Enumerable.Range(0, 16), drawn["b"]);
    }

    [Theory]
    [InlineData(10, 0, 4, 0)]
    [InlineData(10, 1, 4, 2)]
    [InlineData(10, 2, 4, 5)]
    [InlineData(10, 4, 4, 10)]
    [InlineData(60, 1, 10, 6)]
    public void Rounds_split_an_item_order_into_near_equal_parts(int count, int round, int rounds, int end) =>
        Assert.Equal(end, CandidateEvaluator.RoundEnd(count, round, rounds));
}
