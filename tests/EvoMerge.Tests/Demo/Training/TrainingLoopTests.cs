using System.Text.Json.Nodes;
using EvoMerge.Demo.Training;
using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Demo.Training;

/// <summary>
/// The training loop on a one-layer decoder: loss falls on a tiny batch, two runs give the same losses, and the
/// training forward pass equals <see cref="DecoderModel"/>'s on the saved weights.
/// </summary>
public sealed class TrainingLoopTests
{
    private static JsonObject SmallConfig()
    {
        var config = (DemoModelTraining.Spec with { Layers = 1, HiddenSize = 32, IntermediateSize = 64, DType = torch.ScalarType.Float32 }).ToConfigJson();
        config["bos_token_id"] = ByteTokenizerFiles.BosId;
        config["eos_token_id"] = ByteTokenizerFiles.EosId;
        return config;
    }

    private static double[] TrainSmall(int steps)
    {
        var batch = new[] { "add 12+30 = 42\n", "reverse abcd = dcba\n", "capital of Velora = Tusk\n" }
            .Select(t => new TrainingSequence(DemoModelTraining.Encode(t), 1)).ToArray();
        using var model = TrainableDecoder.Initialize(SmallConfig(), seed: 1);
        return DecoderTrainer.Train(model, random => batch[random.Next(batch.Length)], new TrainingSettings(steps, 8, 1e-2, 2, 0.0, 5), ByteTokenizerFiles.PadId);
    }

    [Fact]
    public void LossFallsOnATinyBatch()
    {
        var losses = TrainSmall(40);
        Assert.True(losses.TakeLast(5).Average() < 0.5 * losses.Take(5).Average(), $"loss {losses[0]:0.000} → {losses[^1]:0.000}");
    }

    [Fact]
    public void TrainingIsDeterministic() => Assert.Equal(TrainSmall(5), TrainSmall(5));

    [Fact]
    public void TrainingForwardMatchesTheInferenceDecoder()
    {
        using var directory = new TempDirectory();
        using var trainable = TrainableDecoder.Initialize(SmallConfig(), seed: 3);
        DecoderTrainer.Train(trainable, _ => new TrainingSequence(DemoModelTraining.Encode("the red cat sees the tree.\n"), 1),
            new TrainingSettings(3, 2, 1e-2, 1, 0.0, 1), ByteTokenizerFiles.PadId);
        var weights = trainable.Export(torch.ScalarType.Float32);
        File.WriteAllText(directory.Combine("config.json"), SmallConfig().ToJsonString());
        SafetensorsWriter.WriteModel(directory.Path, weights);
        foreach (var (_, t) in weights) t.Dispose();
        ByteTokenizerFiles.Write(directory.Path);

        using var scope = torch.NewDisposeScope();
        var ids = torch.tensor(DemoModelTraining.Encode("add 47+38 = 85").Select(i => (long)i).ToArray(), [1, 15]);
        torch.Tensor expected;
        using (torch.no_grad()) expected = trainable.Logits(ids);
        using var model = ModelDirectory.Open(directory.Path);
        using var decoder = DecoderModel.Load(model);
        Assert.True(decoder.Logits(ids).allclose(expected, rtol: 1e-4, atol: 1e-4));
        Assert.Equal(DemoModelTraining.Encode("add 47+38 = 85"), TextTokenizer.Load(directory.Path).Encode("add 47+38 = 85", addSpecialTokens: true));
    }
}
