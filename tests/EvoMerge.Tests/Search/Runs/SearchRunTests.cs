using EvoMerge.Merging;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using EvoMerge.Optimization;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;


namespace EvoMerge.Tests.Search.Runs;

public class SearchRunTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    private const string TiesGenome = "  methods: [ties, task_arithmetic]\n  layer_groups: 2\n  ranges:\n    weight: [0, 2]";

    private static double[] ScoreModel(SearchSetup setup, string modelDirectory) => ModelExporter.Rescore(setup, modelDirectory);

    [Fact]
    public void SearchFindsAMergeThatBeatsBothSpecialists()
    {
        var config = SearchConfigReader.ReadFile(fixture.Config("improves", TiesGenome, population: 10, generations: 8));
        using var run = SearchRun.Start(config);
        run.Run();
        var a = ScoreModel(run.Setup, fixture.Layout.SpecialistA);
        var b = ScoreModel(run.Setup, fixture.Layout.SpecialistB);
        var based = ScoreModel(run.Setup, fixture.Layout.Base);
        Assert.True(a[0] > based[0] + 0.5 && b[1] > based[1] + 0.5, "each specialist is good at its own task");
        Assert.True(Math.Abs(a[1] - based[1]) < 1e-6 && Math.Abs(b[0] - based[0]) < 1e-6, "and no better than the base at the other's");
        // A front member is good at both tasks, which neither specialist is: its worse accuracy beats each
        // specialist's worse one by a wide margin (each specialist is at the base's level on the other's task).
        double specialists = Math.Max(Math.Min(a[0], a[1]), Math.Min(b[0], b[1]));
        Assert.Contains(run.Archive, m => Math.Min(m.Payload.Objectives[0], m.Payload.Objectives[1]) > specialists + 0.5);
        Assert.Equal(8, run.Statistics.Count);
        // On accuracies the seeded first generation can already hold the best merge (base + δ_A + δ_B is perfect on
        // both tasks), so the front's hypervolume need not grow; it must never shrink, and the end front is perfect.
        Assert.Contains(run.Archive, m => m.Payload.Objectives[0] == 1.0 && m.Payload.Objectives[1] == 1.0);
        for (int g = 1; g < run.Statistics.Count; g++) Assert.True(run.Statistics[g].Hypervolume >= run.Statistics[g - 1].Hypervolume);
        var rows = new EvaluationLog(new RunFiles(config.RunDirectory).Evaluations, ["a", "b"], 0).Read();
        Assert.Equal(80, rows.Count);
        Assert.Equal(run.Statistics.Sum(s => s.CacheHits), rows.Count(r => r.Cached));
    }

    [Fact]
    public void TheFitnessCacheNeverScoresARecipeTwice()
    {
        var config = SearchConfigReader.ReadFile(fixture.Config("cache", TiesGenome, generations: 1));
        using var run = SearchRun.Start(config);
        var layout = run.Setup.Layout;
        var genome = layout.Space.RandomGenome(new SearchRandom(3));
        genome.Categories[0] = 1; // task_arithmetic: densities are not part of its recipe
        var (first, firstCached) = run.Evaluate(genome);
        var other = genome.Copy();
        other.Reals[1] = 1 - other.Reals[1]; // a density gene
        var (second, secondCached) = run.Evaluate(other);
        Assert.False(firstCached);
        Assert.True(secondCached);
        Assert.Same(first, second);
        Assert.Equal(1, run.EvaluationsScored);
        Assert.Equal(EvaluationStatus.Scored, first.Status);
        Assert.Equal(48, first.ItemScores["a"]["acc"].Length);
    }

    [Fact]
    public void ResumedRunEndsWithTheSameArchiveAsAnUninterruptedOne()
    {
        string genome = TiesGenome + "\n  layer_ordering:\n    repeats: 2";
        string extra = "evaluation:\n  cheap_first:\n    fraction: 0.3";
        var (whole, split) = fixture.RunWholeAndResumed("cheap-first", genome, population: 6, generations: 4, extra: extra);
        Assert.Equal(File.ReadAllText(new RunFiles(whole.RunDirectory).Archive), File.ReadAllText(new RunFiles(split.RunDirectory).Archive));
        var rows = new EvaluationLog(new RunFiles(split.RunDirectory).Evaluations, ["a", "b"], 0).Read();
        Assert.Equal(24, rows.Count);
    }

    [Fact]
    public void ASecondProcessIsRefusedButAStaleLockDoesNotBlockResume()
    {
        var config = SearchConfigReader.ReadFile(fixture.Config("locked", TiesGenome, generations: 2));
        using (var run = SearchRun.Start(config))
        {
            run.RunGeneration();
            var e = Assert.Throws<IOException>(() => SearchRun.Resume(config.RunDirectory));
            Assert.Contains("in use by another evomerge process", e.Message);
            Assert.Throws<IOException>(() => SearchRun.Start(config));
        }
        Assert.True(File.Exists(Path.Combine(config.RunDirectory, RunLock.FileName)));
        using (var resumed = SearchRun.Resume(config.RunDirectory))
        {
            resumed.Run();
            Assert.Equal(2, resumed.Generation);
        }
        var again = Assert.Throws<IOException>(() => SearchRun.Start(config));
        Assert.Contains("already holds a search", again.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CandidatesAreBitIdenticalToTheExportedMergeAndRescoreToTheArchive(bool layerOrdering)
    {
        string name = layerOrdering ? "export-dfs" : "export";
        string genome = TiesGenome + (layerOrdering ? "\n  layer_ordering:\n    repeats: 2\n    scale: [0.5, 2]" : "");
        var config = SearchConfigReader.ReadFile(fixture.Config(name, genome, population: 6, generations: 2));
        using var run = SearchRun.Start(config);
        run.Run();
        string output = Path.Combine(fixture.Layout.Root, "exports", name);
        var member = ModelExporter.Export(run.Setup, run.Archive, 0, output);
        Assert.True(File.Exists(Path.Combine(output, ModelExporter.ModelCardFileName)));
        Assert.True(File.Exists(Path.Combine(output, CandidateRecipe.ParameterSpaceFileName)));

        var rescored = ModelExporter.Rescore(run.Setup, output);
        Assert.Equal(member.Objectives, rescored);

        var recipe = run.Setup.Composer.Compose(run.Setup.Layout.Decode(member.Genome));
        run.Materializer.Materialize(recipe);
        using var exported = ModelDirectory.Open(output);
        Assert.Equal(recipe.OutputLayers, exported.Config.NumHiddenLayers);
        var parameters = run.Materializer.Model.Parameters;
        foreach (string tensor in exported.Layout.ExpectedNames())
        {
            string inMemory = tensor;
            var role = DecoderLayout.Classify(tensor);
            if (layerOrdering && role.Group == TensorGroup.Layer)
                inMemory = DecoderLayout.LayerName("model.layers.{i}." + role.LocalName, recipe.KeptSlots![role.Layer]);
            using var onDisk = exported.Weights.Load(tensor, torch.ScalarType.Float32);
            var held = parameters[inMemory];
            Assert.Equal(held.shape, onDisk.shape);
            using var same = onDisk.eq(held).all();
            Assert.True(same.item<bool>(), $"{tensor} differs from the in-memory candidate's {inMemory}");
        }
    }

    [Fact]
    public void CheapFirstScoringSavesItemEvaluationsAndReportsThem()
    {
        string extra = "evaluation:\n  cheap_first:\n    fraction: 0.25\n    confidence: 0.95";
        var config = SearchConfigReader.ReadFile(fixture.Config("cheap", TiesGenome, population: 8, generations: 4, extra: extra));
        using var run = SearchRun.Start(config);
        run.Run();
        long saved = run.Statistics.Sum(s => s.ItemEvaluationsSaved);
        int screened = run.Statistics.Sum(s => s.Screened);
        Assert.True(screened > 0, "some candidates were screened out");
        Assert.True(saved >= screened * 2 * 36, $"saved {saved} item evaluations for {screened} screened candidates");
        Assert.All(run.Archive, m => Assert.NotEqual(EvaluationStatus.Screened, Status(run, m.Key)));
    }

    private static EvaluationStatus Status(SearchRun run, string hash) =>
        new EvaluationLog(new RunFiles(run.Setup.Config.RunDirectory).Evaluations, ["a", "b"], 0).Read().First(r => r.RecipeHash == hash && !r.Cached).Status;

    [Fact]
    public void FailedEvaluationsAreInfeasibleWithTheirReasonAndTheRunGoesOn()
    {
        var methods = new MergeMethodRegistry(MergeMethodRegistry.Default.Methods.Select(m => m.Name == "ties" ? new ExplodingMethod(m) : m));
        var config = SearchConfigReader.ReadFile(fixture.Config("failing", "  methods: [ties]\n  layer_groups: 1", population: 4, generations: 2), methods);
        using var run = SearchRun.Start(config);
        run.Run();
        Assert.Equal(2, run.Generation);
        Assert.All(run.Statistics, s => Assert.Equal(s.Scored, s.Failed));
        Assert.Empty(run.Archive);
        var rows = new EvaluationLog(new RunFiles(config.RunDirectory).Evaluations, ["a", "b"], 0).Read();
        Assert.All(rows.Where(r => !r.Cached), r => Assert.Contains("exploded on purpose", r.Reason));
        Assert.All(rows, r => Assert.True(double.IsPositiveInfinity(r.ConstraintViolation)));
    }

    [Fact]
    public void AnInfeasibleCandidatesReasonNamesTheFailedConstraintItsScoreAndItsMinimum()
    {
        // An accuracy is at most 1, so a minimum of 2 fails every candidate; a minimum of 0 fails none.
        string extra = "constraints:\n  - {task: tasks/a.yml, metric: acc, minimum: 0}\n  - {task: tasks/b.yml, metric: acc, minimum: 2}";
        var config = SearchConfigReader.ReadFile(fixture.Config("infeasible", TiesGenome, population: 4, generations: 1, extra: extra));
        using var run = SearchRun.Start(config);
        run.Run();
        var rows = new EvaluationLog(new RunFiles(config.RunDirectory).Evaluations, ["a", "b"], 2).Read().Where(r => !r.Cached).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Equal(EvaluationStatus.Scored, r.Status));
        Assert.All(rows, r => Assert.Equal(
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"constraint b.acc = {r.Constraints[1]:G5} < minimum 2 (constraints[1])"), r.Reason));
    }

    [Theory]
    [InlineData("split")]
    [InlineData("file")]
    public void ATaskOnTheTestSplitIsRefusedUnlessAllowed(string how)
    {
        string tasks = Path.Combine(fixture.Layout.Root, "tasks");
        string name = $"a-test-{how}";
        string yaml = File.ReadAllText(fixture.Layout.TaskA).Replace("name: a", $"name: {name}");
        if (how == "split")
        {
            yaml = yaml.Replace("validation: a.parquet", "test: a.parquet").Replace("split: validation", "split: test");
        }
        else
        {
            File.Copy(Path.Combine(tasks, "a.parquet"), Path.Combine(tasks, "a-test.parquet"), overwrite: true);
            yaml = yaml.Replace("splits:\n  validation: a.parquet\nsplit: validation", "data: a-test.parquet");
        }
        File.WriteAllText(Path.Combine(tasks, name + ".yml"), yaml);
        string objectives = $"objectives:\n  - task: tasks/{name}.yml\n    metric: acc";
        var refused = SearchConfigReader.ReadFile(fixture.Config($"test-split-{how}", TiesGenome, objectives: objectives));
        var e = Assert.Throws<SearchConfigException>(() => SearchDryRun.Run(refused));
        Assert.Contains($"objectives[0].task: task '{name}' uses the test split", e.Message);
        Assert.Matches($@"test-split-{how}\.yml:\d+: ", e.Message);
        var allowed = SearchConfigReader.ReadFile(fixture.Config($"test-split-{how}-allowed", TiesGenome, objectives: objectives, extra: "allow_test_split: true"));
        var report = SearchDryRun.Run(allowed);
        Assert.Equal(48, report.ItemsPerEvaluation);
    }

    [Fact]
    public void DryRunReportsGenomeSizeRecipeAndCost()
    {
        var config = SearchConfigReader.ReadFile(fixture.Config("dry", TiesGenome + "\n  layer_ordering:\n    repeats: 2"));
        var report = SearchDryRun.Run(config);
        // 4 groups × 2 models × (weight, density) + 4 slot scales; method + 4 slot origins.
        Assert.Equal(20, report.RealGenes);
        Assert.Equal(5, report.CategoricalGenes);
        Assert.Contains("merge_method:", report.Recipe.ParameterSpace);
        Assert.Contains("merge_method: passthrough", report.Recipe.DataFlow);
        Assert.True(report.ResidentBytes > report.InputBytes);
        Assert.Equal("cpu", report.Device);
        Assert.Contains("MiB of tensors held on cpu (", report.ToText(config.Seed));
        Assert.False(Directory.Exists(config.RunDirectory));
    }

    private sealed class ExplodingMethod(IMergeMethod inner) : IMergeMethod
    {
        public string Name => inner.Name;

        public IReadOnlyList<MergeParameter> Parameters => inner.Parameters;

        public BaseModelRule BaseModel => inner.BaseModel;

        public (int Min, int? Max) ModelCount => inner.ModelCount;

        public bool UsesRandomness => inner.UsesRandomness;

        public MethodSearchSupport? Search => inner.Search;

        public bool TakesMagnitudeOrder => inner.TakesMagnitudeOrder;

        public torch.Tensor Merge(MergeContext context) =>
            context.TensorName.Contains("mlp", StringComparison.Ordinal) ? throw new MergeException("exploded on purpose") : inner.Merge(context);
    }
}
