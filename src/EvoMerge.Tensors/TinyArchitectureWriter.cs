using System.Text.Json;
using TorchSharp;

namespace EvoMerge.Tensors;

/// <summary>
/// Writes a small randomly initialised model of any <see cref="ArchitectureCatalog"/> family in HuggingFace layout:
/// config.json with the family's own keys and safetensors weights whose names and shapes come from the family's data
/// (<see cref="DecoderLayout.ForMerging"/>). Same spec and seed, same bytes.
/// </summary>
public static class TinyArchitectureWriter
{
    /// <summary>Writes config.json and random weights (N(0, 0.02) matrices, norms near 1) into <paramref name="directory"/>.</summary>
    public static void WriteRandom(string directory, TinyArchitectureSpec spec, long seed)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var json = spec.ToConfigJson();
        var config = ModelConfig.FromJson(json, "(tiny architecture spec)");
        var layout = DecoderLayout.ForMerging(config, "(tiny architecture spec)", () => []);
        var generator = new torch.Generator((ulong)seed);
        var weights = new List<(string, torch.Tensor)>();
        try
        {
            foreach (string name in layout.ExpectedNames())
            {
                using var scope = torch.NewDisposeScope();
                using var scale = (IsNorm(name) ? 0.1f : 0.02f).ToScalar();
                using var offset = (IsNorm(name) && name.EndsWith(".weight", StringComparison.Ordinal) ? 1.0f : 0.0f).ToScalar();
                var t = torch.randn(layout.ExpectedShape(name)!, generator: generator).mul(scale).add(offset, ScalarConstants.One);
                weights.Add((name, t.to(spec.DType).MoveToOuterDisposeScope()));
            }
            Directory.CreateDirectory(directory);
            AtomicFile.WriteAllText(Path.Combine(directory, "config.json"), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            SafetensorsWriter.WriteModel(directory, weights, SafetensorsWriter.DefaultMaxShardBytes);
        }
        finally
        {
            foreach (var (_, t) in weights) t.Dispose();
        }
    }

    private static bool IsNorm(string name) => name.Contains("norm", StringComparison.Ordinal) || name.Contains(".ln_", StringComparison.Ordinal);
}
