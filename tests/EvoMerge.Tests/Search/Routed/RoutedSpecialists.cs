using EvoMerge.Demo;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Tests.Search.Routed;

/// <summary>
/// The tiny specialists problem with every decoder-layer projection weight of each specialist additionally moved by
/// seeded noise, so each source's residual against a merged backbone is not zero in the routed linears.
/// </summary>
public static class RoutedSpecialists
{
    /// <summary>Writes the problem under <paramref name="root"/> (<see cref="TinySpecialists.Write"/>) and perturbs the specialists.</summary>
    public static TinySpecialists.Layout Write(string root, int itemsPerTask = 8)
    {
        var layout = TinySpecialists.Write(root, itemsPerTask: itemsPerTask);
        var generator = new torch.Generator(17);
        foreach (string model in new[] { layout.SpecialistA, layout.SpecialistB })
        {
            using var scope = torch.NewDisposeScope();
            List<(string, torch.Tensor)> tensors;
            using (var directory = ModelDirectory.Open(model))
            {
                using var spread = 0.05f.ToScalar();
                tensors = directory.Weights.Names.Select(n => (n, n.StartsWith("model.layers.", StringComparison.Ordinal) && n.EndsWith("proj.weight", StringComparison.Ordinal)
                    ? directory.Weights.Load(n).add(torch.randn(directory.Weights.Info(n).Shape, generator: generator).mul(spread))
                    : directory.Weights.Load(n))).ToList();
            }
            foreach (string file in Directory.EnumerateFiles(model, "model*.safetensors*")) File.Delete(file);
            SafetensorsWriter.WriteModel(model, tensors);
        }
        return layout;
    }
}
