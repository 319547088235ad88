using EvoMerge.Tensors;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// A module a recipe's <c>modules:</c> can name, as mergekit's planner sees the models: its name, its layer stack
/// (none for the loose weights' module) and the loose weights it writes before and after its layers. A one-module
/// layout has one, <c>default</c>, holding everything. An inferred multi-module layout has mergekit's auto.py modules:
/// one per layer stack, named by the stack's prefix, and <c>default</c> for the loose weights (when there are any);
/// a multimodal <c>gemma3</c> has gemma3vl.json's modules.
/// </summary>
public sealed record NamedModule(string Name, LayerModule? Stack, IReadOnlyList<string> Pre, IReadOnlyList<string> Post)
{
    /// <summary>
    /// The nested config key of the module's layer count that a merge rewrites (gemma3vl.json's
    /// <c>num_layers_config_key</c>: <c>text_config.num_hidden_layers</c>, <c>vision_config.num_hidden_layers</c>);
    /// null where mergekit has none (inferred modules, the projector, a one-module layout, whose count is the family's key).
    /// </summary>
    public string? LayerCountKey { get; init; }

    /// <summary>The modules of <paramref name="layout"/>, in mergekit's order (the loose weights' module first).</summary>
    public static IReadOnlyList<NamedModule> Of(DecoderLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (layout.Modules.Count == 1) return [new NamedModule("default", layout.Modules[0], layout.EmbeddingNames, layout.HeadNames)];
        if (layout.Config.ModelType == "gemma3" && Gemma3Multimodal(layout) is { } gemma) return gemma;
        var modules = new List<NamedModule>();
        if (layout.EmbeddingNames.Count + layout.HeadNames.Count > 0)
            modules.Add(new NamedModule("default", null, [.. layout.EmbeddingNames, .. layout.HeadNames], []));
        modules.AddRange(layout.Modules.Select(m => new NamedModule(m.Name, m, [], [])));
        return modules;
    }

    /// <summary>
    /// mergekit's <c>gemma3vl.json</c> modules, which mergekit uses for a multimodal <c>gemma3</c> instead of inferring:
    /// <c>text_decoder</c> (<c>language_model.</c>, with <c>lm_head</c>), <c>multi_modal_projector</c> and
    /// <c>vision_tower</c>, each by its weight prefix (with or without transformers' later <c>model.</c>); null when a
    /// tensor falls under none of them.
    /// </summary>
    private static List<NamedModule>? Gemma3Multimodal(DecoderLayout layout)
    {
        (string Name, string[] Prefixes, string? LayerCountKey)[] modules =
        [
            ("text_decoder", ["language_model.", "model.language_model.", "lm_head."], "text_config.num_hidden_layers"),
            ("multi_modal_projector", ["multi_modal_projector.", "model.multi_modal_projector."], null),
            ("vision_tower", ["vision_tower.", "model.vision_tower."], "vision_config.num_hidden_layers"),
        ];
        string? Owner(string name) => modules.FirstOrDefault(m => m.Prefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal))).Name;
        var loose = layout.EmbeddingNames.Concat(layout.HeadNames);
        if (loose.Any(n => Owner(n) is null) || layout.Modules.Any(m => Owner(m.LayerPrefix) is null)
            || layout.Modules.GroupBy(m => Owner(m.LayerPrefix)).Any(g => g.Count() > 1)) return null;
        return [.. modules.Select(m => new NamedModule(m.Name, layout.Modules.FirstOrDefault(s => Owner(s.LayerPrefix) == m.Name),
            [.. layout.EmbeddingNames.Where(n => Owner(n) == m.Name)], [.. layout.HeadNames.Where(n => Owner(n) == m.Name)]) { LayerCountKey = m.LayerCountKey })];
    }

    /// <summary>How many tensors the module writes.</summary>
    public int TensorCount => Pre.Count + Post.Count + (Stack is { } s ? s.LayerCount * s.LayerTemplate.Count : 0);
}
