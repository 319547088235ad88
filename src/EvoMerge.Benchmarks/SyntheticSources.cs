using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Benchmarks;

/// <summary>
/// The synthetic models the materialise and scale benchmarks merge: a random base (seed 1) and fine-tunes of it, each
/// the base plus N(0, 0.01²) noise (one generator, seed 2, drawn in float32) stored in the spec's dtype.
/// </summary>
internal static class SyntheticSources
{
    /// <summary>Writes ROOT/base and ROOT/source0 … unless the last source is already there; returns their paths.</summary>
    public static (string Base, string[] Sources) Write(string root, TinyDecoderSpec spec, int sourceCount)
    {
        string basePath = Path.Combine(root, "base");
        var sources = Enumerable.Range(0, sourceCount).Select(i => Path.Combine(root, $"source{i}")).ToArray();
        if (File.Exists(Path.Combine(sources[^1], "config.json"))) return (basePath, sources);
        var weights = TinyDecoderWriter.RandomWeights(spec, 1);
        try
        {
            TinyDecoderWriter.Write(basePath, spec, weights);
            using var generator = new torch.Generator(2);
            using var noise = 0.01f.ToScalar();
            for (int i = 0; i < sourceCount; i++)
            {
                var perturbed = new List<(string, torch.Tensor)>(weights.Count);
                foreach (var (name, tensor) in weights)
                {
                    using var scope = torch.NewDisposeScope();
                    var changed = tensor.to(torch.ScalarType.Float32, copy: true).add_(torch.randn(tensor.shape, generator: generator).mul_(noise), ScalarConstants.One);
                    perturbed.Add((name, changed.to(tensor.dtype).MoveToOuterDisposeScope()));
                }
                TinyDecoderWriter.Write(sources[i], spec, perturbed);
                foreach (var (_, t) in perturbed) t.Dispose();
            }
        }
        finally
        {
            foreach (var (_, t) in weights) t.Dispose();
        }
        return (basePath, sources);
    }
}
