using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using Xunit;

namespace EvoMerge.Tests.Search.Runs;

/// <summary>
/// Scoring candidates with test-split data leaks the test set into model selection, whichever way the data enters:
/// a constraint's task, or the few-shot examples of an objective's task (the objective's own items are covered in
/// <see cref="SearchRunTests"/>). Each is refused with one line naming the config file and field, unless
/// <c>allow_test_split: true</c>.
/// </summary>
public class TestSplitRefusalTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    private const string TiesGenome = "  methods: [ties, task_arithmetic]\n  layer_groups: 2\n  ranges:\n    weight: [0, 2]";

    /// <summary>Writes task <paramref name="name"/>: task a's items and answers, its YAML changed by <paramref name="edit"/>; returns its path relative to the layout.</summary>
    private string WriteTask(string name, Func<string, string> edit, params string[] parquetCopies)
    {
        string tasks = Path.Combine(fixture.Layout.Root, "tasks");
        foreach (string copy in parquetCopies) File.Copy(Path.Combine(tasks, "a.parquet"), Path.Combine(tasks, copy), overwrite: true);
        File.WriteAllText(Path.Combine(tasks, name + ".yml"), edit(File.ReadAllText(fixture.Layout.TaskA).Replace("name: a", $"name: {name}")));
        return $"tasks/{name}.yml";
    }

    private string Config(string name, string objectives, string extra = "") =>
        fixture.Config(name, TiesGenome, objectives: objectives, extra: extra);

    [Fact]
    public void AConstraintOnTheTestSplitIsRefusedUnlessAllowed()
    {
        string task = WriteTask("c-test", y => y.Replace("validation: a.parquet", "test: c-test.parquet").Replace("split: validation", "split: test"), "c-test.parquet");
        string objectives = $"objectives:\n  - task: tasks/a.yml\n    metric: acc\nconstraints:\n  - task: {task}\n    metric: acc\n    minimum: 0.1";

        var e = Assert.Throws<SearchConfigException>(() => SearchDryRun.Run(SearchConfigReader.ReadFile(Config("constraint-test", objectives))));
        Assert.Matches(@"constraint-test\.yml:\d+: constraints\[0\]\.task: task 'c-test' uses the test split \('test'\)", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        var report = SearchDryRun.Run(SearchConfigReader.ReadFile(Config("constraint-test-allowed", objectives, "allow_test_split: true")));
        Assert.Equal(96, report.ItemsPerEvaluation); // 48 items of a for the objective, 48 of c-test for the constraint
    }

    [Theory]
    [InlineData("split")]
    [InlineData("file")]
    public void FewShotExamplesFromTheTestSplitAreRefusedUnlessAllowed(string how)
    {
        string name = $"fewshot-test-{how}";
        string task = how == "split"
            ? WriteTask(name, y => y.Replace("validation: a.parquet", "validation: a.parquet\n  test: a-heldout.parquet") + "num_fewshot: 2\nfewshot_split: test\n", "a-heldout.parquet")
            : WriteTask(name, y => y + "num_fewshot: 2\nfewshot_data: a-test-shots.parquet\n", "a-test-shots.parquet");
        string objectives = $"objectives:\n  - task: {task}\n    metric: acc";
        string shots = how == "split" ? "test" : "a-test-shots";

        var e = Assert.Throws<SearchConfigException>(() => SearchDryRun.Run(SearchConfigReader.ReadFile(Config(name, objectives))));
        Assert.Matches($@"{name}\.yml:\d+: objectives\[0\]\.task: task '{name}' draws its few-shot examples from the test split \('{shots}'\)", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        var report = SearchDryRun.Run(SearchConfigReader.ReadFile(Config(name + "-allowed", objectives, "allow_test_split: true")));
        Assert.Equal(48, report.ItemsPerEvaluation);
    }

    [Theory]
    [InlineData("fewshot_split: train", "train: a-train.parquet")]
    [InlineData("", "")] // examples from the scored validation file itself
    public void FewShotExamplesFromAnotherSplitAreAccepted(string source, string split)
    {
        string name = $"fewshot-ok-{(source.Length == 0 ? "same" : "train")}";
        string task = WriteTask(name, y => (split.Length == 0 ? y : y.Replace("validation: a.parquet", $"validation: a.parquet\n  {split}")) + $"num_fewshot: 2\n{source}\n", "a-train.parquet");
        var report = SearchDryRun.Run(SearchConfigReader.ReadFile(Config(name, $"objectives:\n  - task: {task}\n    metric: acc")));
        Assert.Equal(48, report.ItemsPerEvaluation);
    }
}
