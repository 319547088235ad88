using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Scoring;
using Xunit;

namespace EvoMerge.Tests.Search.Scoring;

/// <summary>A candidate whose objective or constraint score is NaN or infinite is infeasible, and its reason says which.</summary>
public class NonFiniteScoreTests
{
    private const string Config = """
        base_model: models/base
        models: [models/a, models/b]
        objectives:
          - name: a
            task: tasks/a.yml
            metric: loss
            direction: minimize
        constraints:
          - task: tasks/b.yml
            metric: acc
            minimum: 0.5
        genome:
          methods: [task_arithmetic]
          layer_groups: 1
        optimizer:
          name: nsga2
          settings:
            population_size: 4
        budget:
          generations: 1
        seed: 1
        run_dir: runs/x
        """;

    /// <summary>A task of two items whose aggregate is a fixed value.</summary>
    private sealed class FixedTask(string name, string file, string metric, double aggregate) : ITaskScorer
    {
        public string Name => name;
        public string File => file;
        public string Split => "validation";
        public bool IsTestSplit => false;
        public string? FewshotSplit => null;
        public bool FewshotIsTestSplit => false;
        public int ItemCount => 2;
        public IReadOnlyList<string> Metrics => [metric];
        public bool IsItemMean(string m) => true;
        public bool HigherIsBetter(string m) => m != "loss";
        public IReadOnlyDictionary<string, double[]> ScoreItems(DecoderModel model, IReadOnlyList<int> items) =>
            new Dictionary<string, double[]> { [metric] = items.Select(_ => aggregate).ToArray() };
        public double Aggregate(string m, IReadOnlyList<double> itemValues) => aggregate;
    }

    private static CandidateEvaluation Evaluate(double objective, double constraint)
    {
        var config = SearchConfigReader.Parse(Config, "search.yml", "/work");
        var tasks = new Dictionary<string, ITaskScorer>
        {
            [config.Objectives[0].Task] = new FixedTask("a", config.Objectives[0].Task, "loss", objective),
            [config.Constraints[0].Task] = new FixedTask("b", config.Constraints[0].Task, "acc", constraint),
        };
        return new CandidateEvaluator(config, tasks).Evaluate("h", null!, (IReadOnlyDictionary<string, int[]>?)null, []);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, 0.9, "objective 'a' is infinite")]
    [InlineData(double.NaN, 0.9, "objective 'a' is NaN")]
    [InlineData(1.5, double.NegativeInfinity, "constraint constraints[0] score is infinite")]
    public void A_non_finite_score_makes_the_candidate_infeasible_and_says_which(double objective, double constraint, string reason)
    {
        var evaluation = Evaluate(objective, constraint);
        Assert.Equal(EvaluationStatus.Failed, evaluation.Status);
        Assert.Equal(reason, evaluation.Reason);
        Assert.Equal(double.PositiveInfinity, evaluation.ConstraintViolation);
    }

    [Fact]
    public void Finite_scores_are_scored()
    {
        var evaluation = Evaluate(1.5, 0.9);
        Assert.Equal(EvaluationStatus.Scored, evaluation.Status);
        Assert.Equal(0.0, evaluation.ConstraintViolation);
    }
}
