using EvoMerge.Demo;
using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Optimization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Routed;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Routed;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search.Routed;

/// <summary>
/// Routed candidates in the search (config <c>genome.routed</c>, docs/routed-merges.md): the genes decode to the
/// backbone method, the experts' rank and the router temperature; a small search over them runs and resumes to the same
/// archive; an exported member is the routed format, <c>evomerge merge</c> of its recipe reproduces it tensor for
/// tensor, and <c>evomerge eval</c> on it scores what the search recorded. Real files, real TorchSharp, the tiny
/// specialists with noise in every projection (<see cref="RoutedSpecialists"/>).
/// </summary>
public sealed class RoutedSearchTests : IDisposable
{
    private const string Genome = """
          methods: [task_arithmetic, ties]
          layer_groups: 2
          ranges:
            weight: [0, 1.5]
          routed:
            ranks: [2, full]
            temperature: [0.1, 10]
            layer: 1
            top_k: 2
        """;

    private const string Merge = "merge:\n  proxy_tasks: [tasks/a.yml, tasks/b.yml]\n  proxy_prompts: 4\n";

    private readonly TempDirectory _root = new("evomerge-routed-search");
    private readonly TinySpecialists.Layout _layout;

    public RoutedSearchTests() => _layout = RoutedSpecialists.Write(_root.Path, itemsPerTask: 16);

    public void Dispose() => _root.Dispose();

    private string Config(string name, string genome = Genome, string merge = Merge, int population = 4, int generations = 3)
    {
        string text = "base_model: models/base\nmodels: [models/a, models/b]\n" + _layout.ObjectivesYaml()
            + "genome:\n" + genome + "\n"
            + $"optimizer:\n  name: nsga2\n  settings:\n    population_size: {population}\n"
            + $"budget:\n  generations: {generations}\nseed: 7\nrun_dir: runs/{name}\n" + merge;
        string path = Path.Combine(_layout.Root, name + ".yml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void The_routed_genes_decode_to_backbone_rank_and_log_scale_temperature_and_compose_a_routed_recipe()
    {
        var config = SearchConfigReader.ReadFile(Config("decode"));
        var setup = SearchSetup.Create(config, SearchSetup.DeriveInfo(config, _layout.Root));
        var layout = setup.Layout;
        // Temperature last among the reals, rank last among the categories (method first).
        var names = layout.GeneNames();
        Assert.Equal(GenomeLayout.RoutedTemperatureGene, names[layout.Space.RealCount - 1]);
        Assert.Equal(["routed.backbone", GenomeLayout.RoutedRankGene], names.Skip(layout.Space.RealCount));
        Assert.Equal([2, 2], layout.Space.CategoryCounts);

        // Hand-worked: T = exp(ln 0.1 + g·(ln 10 − ln 0.1)) = 10^(2g − 1): g = 0 → 0.1, 0.25 → 10^-0.5, 0.5 → 1, 1 → 10.
        foreach (var (gene, expected) in new[] { (0.0, 0.1), (0.25, 0.31622776601683794), (0.5, 1.0), (1.0, 10.0) })
        {
            var reals = Enumerable.Repeat(0.5, layout.Space.RealCount).ToArray();
            reals[^1] = gene;
            var candidate = layout.Decode(new Genome(reals, [1, 1]));
            Assert.Equal("ties", candidate.Method);
            Assert.Null(candidate.Routed!.Rank);
            Assert.Equal(expected, candidate.Routed.Temperature, 1e-12);
        }
        var first = layout.Decode(new Genome(Enumerable.Repeat(0.5, layout.Space.RealCount).ToArray(), [0, 0]));
        Assert.Equal(("task_arithmetic", (int?)2), (first.Method, first.Routed!.Rank));

        // The recipe is merge_method routed with the backbone's slices; RoutedMergeRecipe reads back the genes.
        var recipe = setup.Composer.Compose(first);
        Assert.Contains("merge_method: routed\n", recipe.ParameterSpace, StringComparison.Ordinal);
        var parsed = RoutedMergeRecipe.Of(RecipeReader.Parse(recipe.ParameterSpace, "merge.yml", _layout.Root))!;
        Assert.Equal("task_arithmetic", parsed.Backbone.MergeMethod);
        Assert.Equal(2, parsed.Backbone.Slices.Count);
        Assert.Equal([_layout.SpecialistA, _layout.SpecialistB], parsed.Experts.Select(e => e.Path));
        Assert.Equal([_layout.TaskA, _layout.TaskB], parsed.ProxyTasks);
        Assert.Equal(4, parsed.PromptCount);
        Assert.Equal((2, (double?)null, 1, RoutingGranularity.Sequence, 2),
            (parsed.Block.Rank, parsed.Block.Energy, parsed.Block.RouterLayer, parsed.Block.Granularity, parsed.Block.TopK));
        Assert.Equal(first.Routed.Temperature, parsed.Block.Temperature);
        Assert.Equal(1.0, parsed.Block.Temperature, 1e-12);
        var full = RoutedMergeRecipe.Of(RecipeReader.Parse(setup.Composer.Compose(layout.Decode(new Genome(Enumerable.Repeat(0.5, layout.Space.RealCount).ToArray(), [0, 1]))).ParameterSpace,
            "merge.yml", _layout.Root))!;
        Assert.Equal(((int?)null, (double?)1.0), (full.Block.Rank, full.Block.Energy));
        Assert.NotEqual(recipe.Hash, setup.Composer.Compose(first with { Routed = first.Routed with { Temperature = 2.0 } }).Hash);
    }

    [Theory]
    [InlineData("merge", "", "genome.routed: routed candidates need merge.proxy_tasks")]
    [InlineData("genome", "[task_arithmetic, slerp]", "genome.methods[1]: slerp merges the first source as base, so it cannot be a routed backbone")]
    [InlineData("genome", "top_k: 3", "genome.routed.top_k: must be 1 … 2")]
    [InlineData("genome", "ranks: [2, 2]", "genome.routed.ranks[1]: rank 2 listed twice")]
    [InlineData("genome", "temperature: [0, 10]", "genome.routed.temperature: router temperatures must be positive")]
    [InlineData("genome", "layer: 2", "genome.routed.layer: must be below the models' 2 layers")]
    [InlineData("genome", "layer_ordering", "genome.routed: routed candidates cannot be combined with genome.layer_ordering")]
    [InlineData("genome", "ranks: [0]", "genome.routed.ranks[0]")]
    public void Bad_routed_settings_name_the_config_field(string part, string change, string expected)
    {
        string genome = part != "genome" ? Genome : change switch
        {
            "[task_arithmetic, slerp]" => Genome.Replace("[task_arithmetic, ties]", change, StringComparison.Ordinal),
            "top_k: 3" => Genome.Replace("top_k: 2", change, StringComparison.Ordinal),
            "ranks: [2, 2]" or "ranks: [0]" => Genome.Replace("ranks: [2, full]", change, StringComparison.Ordinal),
            "temperature: [0, 10]" => Genome.Replace("temperature: [0.1, 10]", change, StringComparison.Ordinal),
            "layer: 2" => Genome.Replace("layer: 1", change, StringComparison.Ordinal),
            _ => Genome + "\n  layer_ordering:\n    repeats: 2",
        };
        string file = Config("bad", genome, part == "merge" ? change : Merge);
        var error = Assert.ThrowsAny<Exception>(() =>
        {
            var config = SearchConfigReader.ReadFile(file);
            SearchSetup.Create(config, SearchSetup.DeriveInfo(config, _layout.Root));
        });
        Assert.IsAssignableFrom<SearchConfigException>(error);
        Assert.Contains(expected, error.Message);
        Assert.Contains("bad.yml", error.Message);
    }

    [Fact]
    public void A_routed_search_resumes_to_the_same_archive_and_its_exported_member_merges_and_evals_to_the_recorded_score()
    {
        var whole = SearchConfigReader.ReadFile(Config("whole"));
        using (var run = SearchRun.Start(whole)) run.Run();
        var split = SearchConfigReader.ReadFile(Config("split"));
        using (var run = SearchRun.Start(split))
        {
            run.RunGeneration();
            run.RunGeneration();
        }
        using var resumed = SearchRun.Resume(split.RunDirectory);
        Assert.Equal(2, resumed.Generation);
        resumed.Run();
        Assert.Equal(File.ReadAllText(new RunFiles(whole.RunDirectory).Archive), File.ReadAllText(new RunFiles(split.RunDirectory).Archive));
        var rows = new EvaluationLog(new RunFiles(split.RunDirectory).Evaluations, ["a", "b"], 0).Read();
        Assert.All(rows, r => Assert.Equal(EvaluationStatus.Scored, r.Status));
        Assert.NotEmpty(resumed.Archive);

        // Export: the routed format, its recipe merge_method routed.
        var archive = resumed.Archive;
        string output = Path.Combine(_layout.Root, "exports", "member-0");
        var member = ModelExporter.Export(resumed.Setup, archive, 0, output);
        Assert.StartsWith("# EvoMerge candidate", File.ReadAllText(Path.Combine(output, CandidateRecipe.ParameterSpaceFileName)), StringComparison.Ordinal);
        Assert.Contains("merge_method: routed\n", File.ReadAllText(Path.Combine(output, CandidateRecipe.ParameterSpaceFileName)), StringComparison.Ordinal);
        Assert.Throws<ModelConfigException>(() => ModelDirectory.Open(output));
        using var exported = ModelDirectory.OpenRoutedAware(output);
        var block = RoutedExpertsConfig.Read(exported.Config, exported.ConfigPath)!;
        Assert.Equal((2, 1, 2), (block.Experts, block.RouterLayer, block.TopK));
        Assert.True(exported.Weights.Contains(RoutedExpertsConfig.PrototypesName));
        Assert.True(exported.Weights.Contains(RoutedExpertsConfig.FactorName("model.layers.1.mlp.down_proj.weight", 1, "lora_A")));

        // evomerge eval on the exported directory (ModelEvaluation, the same task files) gives the archived scores.
        var evaluation = ModelEvaluation.Run(output, [_layout.TaskA, _layout.TaskB], null, null, run => run(new Progress<EvalProgress>()));
        Assert.Equal(member.Objectives[0], evaluation.Result.Task("a").Metric("acc").Value, 1e-12);
        Assert.Equal(member.Objectives[1], evaluation.Result.Task("b").Metric("acc").Value, 1e-12);
        Assert.Equal(member.Objectives, ModelExporter.Rescore(resumed.Setup, output));

        // evomerge merge of the exported recipe (what MergeCommand runs) writes the same tensors, factors and prototypes.
        var recipe = resumed.Setup.Composer.Compose(resumed.Setup.Layout.Decode(member.Genome));
        string remerged = Path.Combine(_layout.Root, "exports", "remerged");
        using (var merge = RecipeMergeRun.Open(Path.Combine(output, CandidateRecipe.ParameterSpaceFileName)))
        {
            using var sink = ModelDirectorySink.Create(merge.Plan, remerged, SafetensorsWriter.DefaultMaxShardBytes, allowOverwrite: false);
            using var executor = new MergeExecutor(merge.Plan, new MergeExecutionOptions { Seed = recipe.MergeSeed, ProxyActivations = merge.Proxy });
            executor.Run(sink);
            merge.Complete(remerged, SafetensorsWriter.DefaultMaxShardBytes);
        }
        using var again = ModelDirectory.OpenRoutedAware(remerged);
        Assert.Equal(exported.Weights.Names.Order(StringComparer.Ordinal), again.Weights.Names.Order(StringComparer.Ordinal));
        foreach (string name in exported.Weights.Names)
        {
            using var scope = torch.NewDisposeScope();
            Assert.True(Same(exported.Weights.Load(name), again.Weights.Load(name)), $"{name} differs between the export and the re-merge");
        }

        // The in-memory candidate the search scored holds the exported backbone and as many expert parameters.
        resumed.Materializer.Materialize(recipe);
        var model = resumed.Materializer.Model;
        foreach (var (name, held) in model.Parameters)
        {
            using var scope = torch.NewDisposeScope();
            Assert.True(Same(exported.Weights.Load(name, torch.ScalarType.Float32), held), $"{name} differs from the in-memory backbone");
        }
        using var loaded = DecoderModel.Load(exported);
        Assert.Equal(loaded.Experts!.ParameterCount, model.Experts!.ParameterCount);
        // Its logits equal the exported routed model's bit for bit, and without the experts they differ (the experts matter).
        using var ids = torch.tensor(new long[] { 1, 72, 101, 108, 108, 111, 32, 97, 98 }).unsqueeze(0);
        using var inMemory = model.Logits(ids);
        using var onDisk = loaded.Logits(ids);
        Assert.True(Same(inMemory, onDisk), "the in-memory routed candidate's logits differ from the exported model's");
        model.UseExperts(null);
        using var backboneOnly = model.Logits(ids);
        Assert.False(Same(inMemory, backboneOnly), "the experts changed nothing");
    }

    private static bool Same(torch.Tensor a, torch.Tensor b) =>
        a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void A_static_candidate_after_a_routed_one_runs_without_experts()
    {
        var config = SearchConfigReader.ReadFile(Config("switch"));
        var setup = SearchSetup.Create(config, SearchSetup.DeriveInfo(config, _layout.Root));
        using var materializer = setup.CreateMaterializer();
        var routed = setup.Layout.Decode(new Genome(Enumerable.Repeat(0.5, setup.Layout.Space.RealCount).ToArray(), [0, 0]));
        materializer.Materialize(setup.Composer.Compose(routed));
        var experts = materializer.Model.Experts;
        Assert.NotNull(experts);
        materializer.Materialize(setup.Composer.Compose(routed with { Routed = null }));
        Assert.Null(materializer.Model.Experts);
        materializer.Materialize(setup.Composer.Compose(routed));
        Assert.NotNull(materializer.Model.Experts);
        Assert.NotSame(experts, materializer.Model.Experts);
    }
}
