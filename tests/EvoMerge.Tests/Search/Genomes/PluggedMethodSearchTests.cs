using EvoMerge.Merging;
using EvoMerge.Search.Configuration;
using EvoMerge.Optimization;
using EvoMerge.Search.Runs;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;


namespace EvoMerge.Tests.Search.Genomes;

/// <summary>
/// A merge method written here, in the test assembly, becomes searchable by being registered: the config schema, the
/// genome layout, the recipe, the materialiser and the run loop all follow its declarations, with no edit to Search.
/// </summary>
public class PluggedMethodSearchTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    private const string Genome = "  methods: [scaled_sum]\n  layer_groups: 2\n  ranges:\n    gain: [0.5, 1.5]";

    /// <summary>scaled_sum: <c>B + gain·Σ_i (X_i − B)</c>, with one global gene, <c>gain</c> (declared range [0, 2]).</summary>
    private sealed class ScaledSumMerge : IMergeMethod
    {
        public string Name => "scaled_sum";

        public IReadOnlyList<MergeParameter> Parameters { get; } =
        [
            MergeParameter.Number("gain", ParameterScope.Global, 1.0).Searched(new SearchGene(0.0, 2.0, "Scale of the summed task vectors")),
        ];

        public BaseModelRule BaseModel => BaseModelRule.Required;

        public (int Min, int? Max) ModelCount => (1, null);

        public bool UsesRandomness => false;

        public MethodSearchSupport Search => MethodSearchSupport.TaskVectors;

        public torch.Tensor Merge(MergeContext context)
        {
            using var scope = torch.NewDisposeScope();
            var b = context.Base!.Tensor;
            var sum = torch.zeros_like(b);
            foreach (var model in context.Models) sum.add_(model.Tensor - b);
            return (b + sum * context.Global.Get("gain")).MoveToOuterDisposeScope();
        }
    }

    private static readonly MergeMethodRegistry Methods = MergeMethodRegistry.Default.With(new ScaledSumMerge());

    [Fact]
    public void TheDefaultRegistryRefusesTheUnknownMethodByItsConfigLine()
    {
        string file = fixture.Config("plugged-unknown", Genome);
        var e = Assert.Throws<SearchConfigException>(() => SearchConfigReader.ReadFile(file));
        Assert.Contains("genome.methods[0]", e.Message);
        Assert.Contains("scaled_sum", e.Message);
    }

    [Fact]
    public void TheSchemaListsTheMethodAndItsGeneRange()
    {
        var schema = SearchSpaceSchema.Build(Methods);
        var methods = schema["$defs"]!["genome"]!["properties"]!["methods"]!["items"]!["enum"]!.AsArray().Select(n => n!.GetValue<string>());
        Assert.Contains("scaled_sum", methods);
        string gain = schema["$defs"]!["ranges"]!["properties"]!["gain"]!["description"]!.GetValue<string>();
        Assert.Contains("default [0, 2]", gain);
        Assert.DoesNotContain("\"gain\"", SearchSpaceSchema.Text(MergeMethodRegistry.Default));
    }

    [Fact]
    public void ARegisteredMethodIsSearchedAndItsCandidatesAreItsOwnMath()
    {
        var config = SearchConfigReader.ReadFile(fixture.Config("plugged", Genome, population: 4, generations: 2), Methods);
        using var run = SearchRun.Start(config);
        var layout = run.Setup.Layout;
        // Four groups (embeddings, two layer groups, head), one global gene each, no per-model gene, one method.
        Assert.Equal(["embeddings.gain", "layers[0,1).gain", "layers[1,2).gain", "head.gain"], layout.GeneNames());
        Assert.Equal(0, layout.Space.CategoryGeneCount);

        // Genes 0.25 / 0.5 / 0.75 / 1 map into the configured [0.5, 1.5]: gains 0.75, 1, 1.25, 1.5.
        var candidate = layout.Decode(new Genome([0.25, 0.5, 0.75, 1.0], []));
        Assert.Equal(1.25, candidate.Groups[2].Global["gain"], 12);
        var recipe = run.Setup.Composer.Compose(candidate);
        Assert.Contains("merge_method: scaled_sum", recipe.ParameterSpace);
        Assert.Contains("- value: 1.25", recipe.ParameterSpace);

        // The in-memory candidate's second layer equals base + 1.25·(δ_A + δ_B), computed here from the model files.
        run.Materializer.Materialize(recipe);
        const string tensor = "model.layers.1.mlp.down_proj.weight";
        using var baseModel = ModelDirectory.Open(fixture.Layout.Base);
        using var a = ModelDirectory.Open(fixture.Layout.SpecialistA);
        using var b = ModelDirectory.Open(fixture.Layout.SpecialistB);
        using var scope = torch.NewDisposeScope();
        var x0 = baseModel.Weights.Load(tensor, torch.ScalarType.Float32);
        var expected = x0 + 1.25 * ((a.Weights.Load(tensor, torch.ScalarType.Float32) - x0) + (b.Weights.Load(tensor, torch.ScalarType.Float32) - x0));
        Assert.True(torch.allclose(expected, run.Materializer.Model.Parameters[tensor], rtol: 1e-5, atol: 1e-6));

        run.Run();
        Assert.Equal(2, run.Statistics.Count);
        Assert.NotEmpty(run.Archive);
        Assert.All(run.Statistics, s => Assert.Equal(0, s.Failed));
    }
}
