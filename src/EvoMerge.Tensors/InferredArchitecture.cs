using System.Globalization;
using System.Text.RegularExpressions;

namespace EvoMerge.Tensors;

/// <summary>
/// A model's layout inferred from its tensor names alone, as mergekit's <c>architecture/auto.py</c> does for
/// architectures it has no data for: a tensor whose name holds ".N." belongs to the layer stack named by the text
/// before the first ".N." (its module), with N its layer index; every other tensor is a loose weight. A module has as
/// many layers as its highest index plus one, and every layer must hold the same tensor names. With one stack the
/// model is one module, "default"; with several (a multimodal model's text decoder and vision tower), each stack is a
/// module named by its prefix.
/// </summary>
public static partial class InferredArchitecture
{
    /// <summary>The layer modules (in order of their prefixes) and the loose weights (in the order given).</summary>
    public static (IReadOnlyList<LayerModule> Modules, IReadOnlyList<string> Loose) Infer(IReadOnlyList<string> names, string configPath)
    {
        ArgumentNullException.ThrowIfNull(names);
        var stacks = new SortedDictionary<string, SortedDictionary<int, SortedSet<string>>>(StringComparer.Ordinal);
        var loose = new List<string>();
        foreach (string name in names)
        {
            var match = LayerIndex().Match(name);
            if (!match.Success)
            {
                loose.Add(name);
                continue;
            }
            string prefix = name[..match.Index];
            int layer = int.Parse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
            if (!stacks.TryGetValue(prefix, out var layers)) stacks[prefix] = layers = [];
            if (!layers.TryGetValue(layer, out var local)) layers[layer] = local = new SortedSet<string>(StringComparer.Ordinal);
            local.Add(name[(match.Index + match.Length)..]);
        }
        var modules = new List<LayerModule>();
        foreach (var (prefix, layers) in stacks)
        {
            int count = layers.Keys.Max() + 1;
            var first = layers.Values.First();
            for (int i = 0; i < count; i++)
            {
                if (!layers.TryGetValue(i, out var own) || !own.SetEquals(first))
                    throw new ModelConfigException(configPath, "model_type",
                        $"the layout inferred from the tensor names has layer {i} of {prefix}.N. with other tensor names than layer {layers.Keys.Min()}");
            }
            string layerPrefix = prefix + ".{i}.";
            modules.Add(new LayerModule(stacks.Count == 1 ? "default" : prefix, layerPrefix, first.Select(n => layerPrefix + n).ToList(), count));
        }
        return (modules, loose);
    }

    [GeneratedRegex(@"\.(\d+)\.", RegexOptions.CultureInvariant)]
    private static partial Regex LayerIndex();
}
