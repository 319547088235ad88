using EvoMerge.Demo;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Tests.Search;

/// <summary>
/// A merge problem whose optimum needs specific per-layer weights, so neither a source, nor their plain sum, nor a
/// random first generation is already optimal: base = a random tiny decoder (<see cref="TinySpecialists.Spec"/>);
/// source A = base + δA and source B = base + δB, where δA and δB are independent random perturbations of every
/// layer matrix (the same parameters, so they interfere); the tasks (A–H after upper-case letters, a–h after lower
/// case) are answered by a target model that no source is: base + Σ_layers (wA[l]·δA[l] + wB[l]·δB[l]) with the
/// per-layer weights <see cref="TargetA"/> and <see cref="TargetB"/>. The target itself is not given to the search.
/// </summary>
public static class ConflictingSpecialists
{
    /// <summary>Target weight of δA in layers 0 and 1.</summary>
    public static readonly double[] TargetA = [1.6, 0.35];

    /// <summary>Target weight of δB in layers 0 and 1.</summary>
    public static readonly double[] TargetB = [0.3, 1.7];

    /// <summary>Writes models/base, models/a, models/b (and models/target, the answer key) and tasks/a.yml, tasks/b.yml under <paramref name="root"/>.</summary>
    public static TinySpecialists.Layout Write(string root, int itemsPerTask = 48, long seed = 21, float scale = 0.2f)
    {
        var layout = new TinySpecialists.Layout(root, Path.Combine(root, "models", "base"), Path.Combine(root, "models", "a"), Path.Combine(root, "models", "b"),
            Path.Combine(root, "tasks", "a.yml"), Path.Combine(root, "tasks", "b.yml"));
        string target = Path.Combine(root, "models", "target");
        var spec = TinySpecialists.Spec;
        var weights = TinyDecoderWriter.RandomWeights(spec, seed);
        var generator = new torch.Generator((ulong)seed + 1);
        var a = new List<(string, torch.Tensor)>();
        var b = new List<(string, torch.Tensor)>();
        var t = new List<(string, torch.Tensor)>();
        try
        {
            foreach (var (name, tensor) in weights)
            {
                using var scope = torch.NewDisposeScope();
                var role = DecoderLayout.Classify(name);
                bool perturbed = role.Group == TensorGroup.Layer && !name.EndsWith("norm.weight", StringComparison.Ordinal);
                var deltaA = perturbed ? torch.randn(tensor.shape, generator: generator) * scale : torch.zeros_like(tensor);
                var deltaB = perturbed ? torch.randn(tensor.shape, generator: generator) * scale : torch.zeros_like(tensor);
                double wa = perturbed ? TargetA[role.Layer] : 0, wb = perturbed ? TargetB[role.Layer] : 0;
                a.Add((name, (tensor + deltaA).MoveToOuterDisposeScope()));
                b.Add((name, (tensor + deltaB).MoveToOuterDisposeScope()));
                t.Add((name, (tensor + deltaA * wa + deltaB * wb).MoveToOuterDisposeScope()));
            }
            TinyDecoderWriter.Write(layout.Base, spec, weights);
            TinyDecoderWriter.Write(layout.SpecialistA, spec, a);
            TinyDecoderWriter.Write(layout.SpecialistB, spec, b);
            TinyDecoderWriter.Write(target, spec, t);
        }
        finally
        {
            foreach (var (_, tensor) in weights.Concat(a).Concat(b).Concat(t)) tensor.Dispose();
        }
        foreach (string model in new[] { layout.Base, layout.SpecialistA, layout.SpecialistB, target }) ByteLevelTokenizerWriter.Write(model, []);
        Directory.CreateDirectory(Path.Combine(root, "tasks"));
        var random = new Random((int)seed);
        TinySpecialists.WriteTask(layout.TaskA, "a", target, 'A', itemsPerTask, random);
        TinySpecialists.WriteTask(layout.TaskB, "b", target, 'a', itemsPerTask, random);
        return layout;
    }
}
