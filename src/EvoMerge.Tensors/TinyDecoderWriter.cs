using System.Text.Json;
using TorchSharp;

namespace EvoMerge.Tensors;

/// <summary>
/// Writes a randomly initialised (or caller-supplied) small decoder in HuggingFace layout: <c>config.json</c> and
/// safetensors weights whose names and shapes follow <see cref="DecoderLayout"/>. Same spec and seed, same bytes.
/// </summary>
public static class TinyDecoderWriter
{
    /// <summary>Random weights for <paramref name="spec"/>: N(0, 0.02) matrices, norms near 1, biases small.</summary>
    public static List<(string Name, torch.Tensor Tensor)> RandomWeights(TinyDecoderSpec spec, long seed)
    {
        var config = ModelConfig.FromJson(spec.ToConfigJson(), "(tiny decoder spec)");
        var layout = DecoderLayout.For(config, "(tiny decoder spec)");
        var generator = new torch.Generator((ulong)seed);
        var result = new List<(string, torch.Tensor)>();
        foreach (string name in layout.ExpectedNames())
        {
            long[] shape = layout.ExpectedShape(name)!;
            using var scope = torch.NewDisposeScope();
            // Explicit scalars disposed after use: an implicit temporary (0.02f * x) can be finalised by the GC while
            // libtorch still reads it, which under load wrote garbage weights.
            using var one = 1.0f.ToScalar();
            using var normScale = 0.1f.ToScalar();
            using var scale = 0.02f.ToScalar();
            using var embedScale = (name.Contains("embed") ? 20.0f : 1.0f).ToScalar();
            torch.Tensor t = name.EndsWith("norm.weight", StringComparison.Ordinal)
                ? torch.randn(shape, generator: generator).mul(normScale).add(one, ScalarConstants.One)
                : name.EndsWith(".bias", StringComparison.Ordinal)
                    ? torch.randn(shape, generator: generator).mul(scale)
                    : torch.randn(shape, generator: generator).mul(scale).mul(embedScale);
            result.Add((name, t.to(spec.DType).MoveToOuterDisposeScope()));
        }
        return result;
    }

    /// <summary>Writes config.json and random weights into <paramref name="directory"/>.</summary>
    public static void WriteRandom(string directory, TinyDecoderSpec spec, long seed, long maxShardBytes = SafetensorsWriter.DefaultMaxShardBytes)
    {
        var weights = RandomWeights(spec, seed);
        try
        {
            Write(directory, spec, weights, maxShardBytes);
        }
        finally
        {
            foreach (var (_, t) in weights) t.Dispose();
        }
    }

    /// <summary>Writes config.json and the given weights into <paramref name="directory"/>.</summary>
    public static void Write(string directory, TinyDecoderSpec spec, IReadOnlyList<(string Name, torch.Tensor Tensor)> weights,
        long maxShardBytes = SafetensorsWriter.DefaultMaxShardBytes)
    {
        Directory.CreateDirectory(directory);
        AtomicFile.WriteAllText(Path.Combine(directory, "config.json"),
            spec.ToConfigJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        SafetensorsWriter.WriteModel(directory, weights, maxShardBytes);
    }
}
