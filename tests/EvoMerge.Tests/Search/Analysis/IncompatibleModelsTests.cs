using System.Text.Json.Nodes;
using EvoMerge.Search.Analysis;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search.Analysis;

/// <summary>
/// The verdicts of evomerge analyze on deliberately incompatible models next to the demo's base: a random init of
/// the same architecture (another base), the demo's addition model with another tokenizer or chat template, and a
/// smaller architecture; and the interpolation path's barrier between two functionally identical models at different
/// points of weight space.
/// </summary>
public class IncompatibleModelsTests
{
    private static string Demo(string name) => RepositoryPaths.Combine("models", name);

    private static readonly TinyDecoderSpec DemoShape = new()
    {
        Layers = 4, HiddenSize = 128, IntermediateSize = 384, Heads = 4, KeyValueHeads = 2, VocabSize = 260,
        MaxPositionEmbeddings = 128, DType = torch.ScalarType.Float16,
    };

    private static void CopyTokenizer(string from, string to)
    {
        foreach (string file in new[] { "tokenizer.json", "tokenizer_config.json" }) File.Copy(Path.Combine(from, file), Path.Combine(to, file), overwrite: true);
    }

    private static string CopyModel(TempDirectory temp, string name)
    {
        string copy = temp.Combine(name);
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.GetFiles(Demo(name))) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        return copy;
    }

    private static AnalysisReport Analyze(params string[] models) => ModelAnalysis.Run(Demo("base"), models, [], _ => { });

    [Fact]
    public void ARandomInitOfTheSameArchitectureIsNotAFineTuneOfTheBase()
    {
        using var temp = new TempDirectory();
        string other = temp.Combine("other-base");
        TinyDecoderWriter.WriteRandom(other, DemoShape, seed: 7);
        CopyTokenizer(Demo("base"), other);
        var report = Analyze(Demo("addition"), other);
        Assert.All(report.Checks.Where(c => c.Aspect != "base match"), c => Assert.True(c.Passed, c.Model + " " + c.Aspect + ": " + c.Detail));
        Assert.True(report.Checks.Single(c => c.Model == "addition" && c.Aspect == "base match").Passed);
        var foreign = report.Checks.Single(c => c.Model == "other-base" && c.Aspect == "base match");
        Assert.False(foreign.Passed);
        Assert.True(report.Total!.RelativeNorms[1] > 0.5, foreign.Detail);
        Assert.False(report.Compatible);
        Assert.Equal("none", report.Recommendation.Method);
        Assert.StartsWith("R3: other-base is not a fine-tune", report.Recommendation.Reasons[0], StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherVocabularyOrChatTemplateFailsTheTokenizerCheck()
    {
        using var temp = new TempDirectory();
        string swapped = CopyModel(temp, "addition");
        var tokenizer = JsonNode.Parse(File.ReadAllText(Path.Combine(swapped, "tokenizer.json")))!.AsObject();
        var vocab = tokenizer["model"]!["vocab"]!.AsObject();
        var (first, second) = (vocab.First().Key, vocab.Last().Key);
        (vocab[first], vocab[second]) = (vocab[second]!.DeepClone(), vocab[first]!.DeepClone());
        File.WriteAllText(Path.Combine(swapped, "tokenizer.json"), tokenizer.ToJsonString());
        string templated = temp.Combine("templated");
        Directory.CreateDirectory(templated);
        foreach (string file in Directory.GetFiles(Demo("capitals"))) File.Copy(file, Path.Combine(templated, Path.GetFileName(file)));
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(templated, "tokenizer_config.json")))!.AsObject();
        config["chat_template"] = "{{ messages }}";
        File.WriteAllText(Path.Combine(templated, "tokenizer_config.json"), config.ToJsonString());

        var report = Analyze(swapped, templated);
        var vocabulary = report.Checks.Single(c => c.Model == "addition" && c.Aspect == "tokenizer");
        Assert.False(vocabulary.Passed);
        Assert.Equal("vocabulary differ", vocabulary.Detail);
        var template = report.Checks.Single(c => c.Model == "templated" && c.Aspect == "tokenizer");
        Assert.False(template.Passed);
        Assert.Equal("chat template differ", template.Detail);
        Assert.Equal("none", report.Recommendation.Method);
        Assert.StartsWith("R2: addition: tokenizer differs", report.Recommendation.Reasons[0], StringComparison.Ordinal);
        Assert.NotNull(report.Total); // tensors still compared: the weights themselves fit
    }

    [Fact]
    public void AnotherArchitectureFailsTheArchitectureAndShapeChecks()
    {
        using var temp = new TempDirectory();
        string small = temp.Combine("small");
        TinyDecoderWriter.WriteRandom(small, DemoShape with { HiddenSize = 64, IntermediateSize = 192 }, seed: 3);
        CopyTokenizer(Demo("base"), small);
        var report = Analyze(small);
        var architecture = report.Checks.Single(c => c.Aspect == "architecture");
        Assert.False(architecture.Passed);
        Assert.Equal("hidden_size 64 vs base 128; intermediate_size 192 vs base 384; head_dim 16 vs base 32", architecture.Detail);
        Assert.False(report.Checks.Single(c => c.Aspect == "tensor shapes").Passed);
        Assert.Empty(report.Groups);
        Assert.Equal("none", report.Recommendation.Method);
        Assert.StartsWith("R1: small: architecture differ", report.Recommendation.Reasons[0], StringComparison.Ordinal);
    }

    /// <summary>
    /// Base with the hidden units of every MLP permuted (rows of gate and up, columns of down): the same function at
    /// another point of weight space, where a second training run from another random init lands up to such
    /// permutations. The path between the two shows the barrier; the path from base to its capitals fine-tune does not.
    /// </summary>
    [Fact]
    public void ThePathBetweenPermutedCopiesShowsTheBarrierAndAFineTunesPathDoesNot()
    {
        using var temp = new TempDirectory();
        string permuted = temp.Combine("permuted");
        Directory.CreateDirectory(permuted);
        using (var weights = ModelWeights.Open(Demo("base")))
        using (var scope = torch.NewDisposeScope())
        {
            using var generator = new torch.Generator(11);
            var tensors = new List<(string, torch.Tensor)>();
            var order = Enumerable.Range(0, 4).Select(_ => torch.randperm(384, generator: generator)).ToList();
            foreach (string name in weights.Names)
            {
                var tensor = weights.Load(name);
                var layer = TensorKindGroup.Of(name);
                if (layer.Layer is int l && layer.Kind is "mlp.gate_proj.weight" or "mlp.up_proj.weight") tensor = tensor.index_select(0, order[l]);
                if (layer.Layer is int m && layer.Kind == "mlp.down_proj.weight") tensor = tensor.index_select(1, order[m]);
                tensors.Add((name, tensor.contiguous()));
            }
            SafetensorsWriter.WriteModel(permuted, tensors);
        }
        foreach (string file in new[] { "config.json", "tokenizer.json", "tokenizer_config.json" }) File.Copy(Path.Combine(Demo("base"), file), Path.Combine(permuted, file));
        string task = RepositoryPaths.Combine("datasets", "capitals", "capitals-choice.yml");

        var report = ModelAnalysis.Run(Demo("base"), [Demo("capitals"), permuted], [task], _ => { });

        var toPermuted = report.Paths.Single(p => p.From == "base" && p.To == "permuted");
        Assert.Equal(toPermuted.Values[0], toPermuted.Values[^1], 0.02); // the same function at both ends (up to summation order)
        Assert.True(toPermuted.HasBarrier, string.Join(" ", toPermuted.Values));
        var toCapitals = report.Paths.Single(p => p.From == "base" && p.To == "capitals");
        Assert.False(toCapitals.HasBarrier, string.Join(" ", toCapitals.Values));
        Assert.Equal("none", report.Recommendation.Method);
        Assert.Contains("BARRIER (different basins)", report.ToText(), StringComparison.Ordinal);
    }
}
