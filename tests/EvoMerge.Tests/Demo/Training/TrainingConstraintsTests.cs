using System.Text.Json.Nodes;
using EvoMerge.Demo.Training;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Demo.Training;

/// <summary>
/// Fine-tuning constraints on a one-layer decoder: frozen tensors keep their bytes, sparse masks keep exactly k
/// entries and nothing outside them moves, the L2 penalty pulls the weights toward the start, and a constrained run
/// repeated gives bit-identical weights.
/// </summary>
public sealed class TrainingConstraintsTests
{
    private static readonly TrainingSequence[] Batch = [.. new[] { "add 12+30 = 42\n", "reverse abcd = dcba\n", "capital of Velora = Tusk\n" }
        .Select(t => new TrainingSequence(DemoModelTraining.Encode(t), 1))];

    /// <summary>A one-layer, hidden-32 fp32 config of the demo's architecture, for training tests.</summary>
    internal static JsonObject SmallConfig()
    {
        var config = (DemoModelTraining.Spec with { Layers = 1, HiddenSize = 32, IntermediateSize = 64, DType = torch.ScalarType.Float32 }).ToConfigJson();
        config["bos_token_id"] = ByteTokenizerFiles.BosId;
        config["eos_token_id"] = ByteTokenizerFiles.EosId;
        return config;
    }

    private static TrainingSequence Sample(EvoMerge.Evaluation.SeededRandom random) => Batch[random.Next(Batch.Length)];

    private static Dictionary<string, float[]> Snapshot(TrainableDecoder model) =>
        model.Parameters.ToDictionary(p => p.Key, p => p.Value.detach().cpu().data<float>().ToArray(), StringComparer.Ordinal);

    private static Dictionary<string, float[]> Train(bool freeze, double l2, double? density, int steps = 20, double learningRate = 1e-2)
    {
        using var model = TrainableDecoder.Initialize(SmallConfig(), seed: 11);
        using var constraints = new TrainingConstraints(model, freeze ? TrainingConstraints.SharedTensors(model) : [], l2);
        if (density is double d) SparseMaskSelection.ByGradientMagnitude(model, constraints, Sample, 2, 4, 7, d, ByteTokenizerFiles.PadId);
        DecoderTrainer.Train(model, Sample, new TrainingSettings(steps, 4, learningRate, 2, 0.01, 5), ByteTokenizerFiles.PadId, constraints: constraints);
        return Snapshot(model);
    }

    private static Dictionary<string, float[]> Initial()
    {
        using var model = TrainableDecoder.Initialize(SmallConfig(), seed: 11);
        return Snapshot(model);
    }

    private static double DistanceSquared(Dictionary<string, float[]> a, Dictionary<string, float[]> b) =>
        a.Sum(p => p.Value.Zip(b[p.Key], (x, y) => (double)(x - y) * (x - y)).Sum());

    [Fact]
    public void FrozenTensorsStayBitIdenticalAndTheOthersMove()
    {
        var start = Initial();
        var trained = Train(freeze: true, l2: 0, density: null);
        using var probe = TrainableDecoder.Initialize(SmallConfig(), seed: 11);
        var frozen = TrainingConstraints.SharedTensors(probe).ToHashSet();
        Assert.Contains("model.embed_tokens.weight", frozen);
        Assert.Contains("model.norm.weight", frozen);
        foreach (var (name, values) in trained)
        {
            if (frozen.Contains(name)) Assert.Equal(start[name], values);
            else Assert.NotEqual(start[name], values);
        }
    }

    [Fact]
    public void TopEntriesKeepsExactlyKOfTheLargest()
    {
        using var scope = torch.NewDisposeScope();
        var scores = torch.arange(0, 1000, dtype: torch.ScalarType.Float32).reshape(20, 50);
        var mask = SparseMaskSelection.TopEntries(scores, 0.05);
        Assert.Equal(new long[] { 20, 50 }, mask.shape);
        Assert.Equal(50L, mask.sum().item<long>());
        var kept = scores.masked_select(mask).data<float>().ToArray();
        Assert.Equal(950f, kept.Min());
        Assert.Equal(1L, SparseMaskSelection.TopEntries(scores, 1e-9).sum().item<long>());
    }

    [Fact]
    public void SparseFineTuneChangesOnlyMaskedEntriesAndKeepsKPerTensor()
    {
        using var model = TrainableDecoder.Initialize(SmallConfig(), seed: 11);
        var start = Snapshot(model);
        using var constraints = new TrainingConstraints(model, TrainingConstraints.SharedTensors(model), 0);
        SparseMaskSelection.ByGradientMagnitude(model, constraints, Sample, 2, 4, 7, 0.1, ByteTokenizerFiles.PadId);
        Assert.Equal(start.Keys.Count(n => !constraints.Frozen.Contains(n)), constraints.Masks.Count);
        var masks = constraints.Masks.ToDictionary(m => m.Key, m => m.Value.data<bool>().ToArray());
        foreach (var (name, mask) in masks)
            Assert.Equal(Math.Max(1, (long)Math.Round(0.1 * mask.Length)), mask.LongCount(b => b));
        Assert.Equal(start.Values.SelectMany(v => v), Snapshot(model).Values.SelectMany(v => v));

        DecoderTrainer.Train(model, Sample, new TrainingSettings(20, 4, 1e-2, 2, 0.01, 5), ByteTokenizerFiles.PadId, constraints: constraints);
        var trained = Snapshot(model);
        int moved = 0;
        foreach (var (name, mask) in masks)
            for (int i = 0; i < mask.Length; i++)
            {
                if (!mask[i]) Assert.Equal(start[name][i], trained[name][i]);
                else if (start[name][i] != trained[name][i]) moved++;
            }
        Assert.True(moved > masks.Values.Sum(m => m.Count(b => b)) / 2, $"only {moved} masked entries moved");
    }

    [Fact]
    public void L2PenaltyPullsTowardTheStart()
    {
        var start = Initial();
        double free = DistanceSquared(Train(freeze: false, l2: 0, density: null, steps: 40, learningRate: 3e-3), start);
        double pulled = DistanceSquared(Train(freeze: false, l2: 50, density: null, steps: 40, learningRate: 3e-3), start);
        Assert.True(pulled < 0.7 * free, $"‖Δ‖² {pulled:0.0000} with the penalty vs {free:0.0000} without");
    }

    [Fact]
    public void ConstrainedTrainingRepeatsBitIdentically()
    {
        var first = Train(freeze: true, l2: 1, density: 0.2, steps: 6);
        var second = Train(freeze: true, l2: 1, density: 0.2, steps: 6);
        Assert.Equal(first.Keys, second.Keys);
        foreach (var (name, values) in first) Assert.Equal(values, second[name]);
    }

    [Fact]
    public void RegimesAreNamedAndOverridesAreRecorded()
    {
        Assert.Equal(FineTuneRegime.All[0], FineTuneRegime.Default);
        Assert.Equal(FineTuneRegime.All.Count, FineTuneRegime.All.Select(r => r.Name).Distinct().Count());
        Assert.All(FineTuneRegime.All, r => Assert.Equal(SyntheticSkill.All.Count, r.Steps.Length));
        var error = Assert.Throws<ArgumentException>(() => FineTuneRegime.Named("nope"));
        Assert.Contains("dense", error.Message);
        var changed = FineTuneRegime.Named("dense").WithOverrides(0.1, null, null, 2e-3);
        Assert.Equal(0.1, changed.Density);
        Assert.Equal(2e-3, changed.LearningRate);
        Assert.Equal("dense (density 0.1, lr 0.002)", changed.Name);
        Assert.Equal(0.1, changed.ToJson()["density"]!.GetValue<double>());
    }
}
