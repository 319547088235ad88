using EvoMerge.Tensors;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// A module a recipe's <c>modules:</c> can name, as mergekit's planner sees the models: its name, its layer stack
/// (none for the loose weights' module) and the loose weights it writes before and after its layers. A one-module
/// layout has one, <c>default</c>, holding everything. An inferred multi-module layout has mergekit's auto.py modules:
/// one per layer stack, named by the stack's prefix, and <c>default</c> for the loose weights (when there are any).
/// </summary>
public sealed record NamedModule(string Name, LayerModule? Stack, IReadOnlyList<string> Pre, IReadOnlyList<string> Post)
{
    /// <summary>The modules of <paramref name="layout"/>, in mergekit's order (the loose weights' module first).</summary>
    public static IReadOnlyList<NamedModule> Of(DecoderLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.Modules.Count == 1) return [new NamedModule("default", layout.Modules[0], layout.EmbeddingNames, layout.HeadNames)];
        var modules = new List<NamedModule>();
        if (layout.EmbeddingNames.Count + layout.HeadNames.Count > 0)
            modules.Add(new NamedModule("default", null, [.. layout.EmbeddingNames, .. layout.HeadNames], []));
        modules.AddRange(layout.Modules.Select(m => new NamedModule(m.Name, m, [], [])));
        return modules;
    }

    /// <summary>How many tensors the module writes.</summary>
    public int TensorCount => Pre.Count + Post.Count + (Stack is { } s ? s.LayerCount * s.LayerTemplate.Count : 0);
}
