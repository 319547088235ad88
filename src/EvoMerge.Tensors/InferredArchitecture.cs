using System.Globalization;
using System.Text.RegularExpressions;

namespace EvoMerge.Tensors;

/// <summary>
/// A layout inferred from tensor names alone, as mergekit's <c>architecture/auto.py</c> does for architectures it has
/// no data for: a tensor whose name holds ".N." belongs to the layer stack named by the text before the first ".N."
/// (its module), with N its layer index; every other tensor is a loose weight. Names are the union over every model
/// and every layer: a module has as many layers as the highest index any model has plus one, one layer's template
/// holds every name any layer of any model has, and a template or loose weight that some model or some layer lacks is
/// optional (merged over the inputs that hold it, not written where none does). With one stack the model is one
/// module, "default"; with several (a multimodal model's text decoder and vision tower), each stack is a module named
/// by its prefix.
/// </summary>
public static partial class InferredArchitecture
{
    /// <summary>
    /// The layer modules (in order of their prefixes, each with its optional templates), the loose weights (in the
    /// order of the first model that has them) and the loose weights some model lacks, from every model's tensor names.
    /// </summary>
    public static (IReadOnlyList<LayerModule> Modules, IReadOnlyList<string> Loose, IReadOnlySet<string> OptionalLoose) Infer(IReadOnlyList<IReadOnlyList<string>> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var stacks = new SortedDictionary<string, (int Count, SortedSet<string> Templates)>(StringComparer.Ordinal);
        var loose = new List<string>();
        var seenLoose = new HashSet<string>(StringComparer.Ordinal);
        var present = models.Select(names => names.ToHashSet(StringComparer.Ordinal)).ToList();
        foreach (var names in models)
        {
            foreach (string name in names)
            {
                var match = LayerIndex().Match(name);
                if (!match.Success)
                {
                    if (seenLoose.Add(name)) loose.Add(name);
                    continue;
                }
                string prefix = name[..match.Index];
                int layer = int.Parse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);
                var (count, templates) = stacks.TryGetValue(prefix, out var known) ? known : (0, new SortedSet<string>(StringComparer.Ordinal));
                templates.Add(name[(match.Index + match.Length)..]);
                stacks[prefix] = (Math.Max(count, layer + 1), templates);
            }
        }
        var modules = new List<LayerModule>();
        foreach (var (prefix, (count, templates)) in stacks)
        {
            string layerPrefix = prefix + ".{i}.";
            var full = templates.Select(n => layerPrefix + n).ToList();
            var optional = full.Where(t => !Enumerable.Range(0, count).All(i => present.All(p => p.Contains(DecoderLayout.LayerName(t, i)))))
                .ToHashSet(StringComparer.Ordinal);
            modules.Add(new LayerModule(stacks.Count == 1 ? "default" : prefix, layerPrefix, full, count) { OptionalTemplates = optional });
        }
        return (modules, loose, loose.Where(n => !present.All(p => p.Contains(n))).ToHashSet(StringComparer.Ordinal));
    }

    [GeneratedRegex(@"\.(\d+)\.", RegexOptions.CultureInvariant)]
    private static partial Regex LayerIndex();
}
