using System.Text.Json.Nodes;
using EvoMerge.Demo.Training;
using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Demo.Training;

/// <summary>The committed demo models load with <see cref="DecoderModel"/> and <see cref="TextTokenizer"/>, in fp16, with their training cards.</summary>
public sealed class DemoModelTests
{
    public static TheoryData<string> Names => [.. DemoModelTraining.ModelNames];

    [Theory]
    [MemberData(nameof(Names))]
    public void CommittedModelLoadsAndScores(string name)
    {
        string directory = Path.Combine(RepositoryPaths.Combine("models"), name);
        using var model = ModelDirectory.Open(directory);
        Assert.Equal("float16", model.Config.TorchDtype);
        Assert.InRange(model.Weights.TotalBytes, 1_000_000, 4_000_000);
        using var decoder = DecoderModel.Load(model);
        var tokenizer = TextTokenizer.Load(directory);
        Assert.Equal(ByteTokenizerFiles.BosId, tokenizer.BosId);
        Assert.Equal(DemoModelTraining.Encode("add 47+38 = 85"), tokenizer.Encode("add 47+38 = 85", addSpecialTokens: true));
        using var scope = torch.NewDisposeScope();
        var logits = decoder.Logits(torch.tensor(DemoModelTraining.Encode("the red cat").Select(i => (long)i).ToArray(), [1, 12]));
        Assert.False(logits.isnan().any().item<bool>());
        var card = JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "training.json")))!;
        Assert.Equal(name, card["model"]!.GetValue<string>());
    }
}
