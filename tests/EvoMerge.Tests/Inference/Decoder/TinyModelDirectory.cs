using System.Text.Json.Nodes;
using EvoMerge.Inference;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>
/// A tiny random decoder written in HF layout into a temporary directory (deleted on dispose). Projection weights
/// are scaled up from TinyDecoderWriter's N(0, 0.02) so attention is far from uniform and logits are O(1): a wrong
/// rotary convention, mask or head mapping then moves the logits well beyond the test tolerances.
/// </summary>
internal sealed class TinyModelDirectory : IDisposable
{
    public TinyModelDirectory(TinyDecoderSpec spec, long seed = 7, float projectionScale = 8f, Action<JsonObject>? editConfig = null)
    {
        Spec = spec;
        Path = Directory.CreateTempSubdirectory("evomerge-decoder-test-").FullName;
        var weights = TinyDecoderWriter.RandomWeights(spec, seed);
        try
        {
            var scaled = weights.Select(w => (w.Name, IsProjection(w.Name) ? Scale(w.Tensor, projectionScale) : w.Tensor.alias())).ToList();
            try
            {
                TinyDecoderWriter.Write(Path, spec, scaled);
            }
            finally
            {
                foreach (var (_, t) in scaled) t.Dispose();
            }
        }
        finally
        {
            foreach (var (_, t) in weights) t.Dispose();
        }
        if (editConfig is not null) EditConfig(editConfig);
    }

    public TinyDecoderSpec Spec { get; }

    public string Path { get; }

    public string ConfigPath => System.IO.Path.Combine(Path, "config.json");

    /// <summary>Loads the model through <see cref="DecoderModel.Load"/>, closing the directory's files afterwards.</summary>
    public DecoderModel Load(torch.ScalarType computeDtype = torch.ScalarType.Float32)
    {
        using var directory = ModelDirectory.Open(Path);
        return DecoderModel.Load(directory, computeDtype);
    }

    /// <summary>Rewrites config.json through <paramref name="edit"/>.</summary>
    public void EditConfig(Action<JsonObject> edit)
    {
        var config = (JsonObject)JsonNode.Parse(File.ReadAllText(ConfigPath))!;
        edit(config);
        File.WriteAllText(ConfigPath, config.ToJsonString());
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);

    private static bool IsProjection(string name) => name.EndsWith("proj.weight", StringComparison.Ordinal) || name == "lm_head.weight";

    private static torch.Tensor Scale(torch.Tensor t, float factor)
    {
        using var scope = torch.NewDisposeScope();
        return (t.to(torch.ScalarType.Float32) * factor).to(t.dtype).MoveToOuterDisposeScope();
    }
}
