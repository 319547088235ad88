using System.Globalization;
using System.Text.Json.Nodes;

namespace EvoMerge.Tensors;

/// <summary>
/// The tensor names and shapes of one model, from its family's data in <see cref="ArchitectureCatalog"/> and its
/// config (optional tensors, tied embeddings, expert count): embeddings, layers under the family's prefix
/// (<c>model.layers.{i}.</c>, <c>transformer.h.{i}.</c>, ...), and the final norm and head. A model_type the catalog
/// does not know merges with the layout <see cref="InferredArchitecture"/> reads from its tensor names (one or more
/// layer <see cref="Modules"/>, e.g. a LLaVA checkpoint's text decoder and vision tower), with a <see cref="Warning"/>.
/// </summary>
public sealed class DecoderLayout
{
    private const string StandardPrefix = "model.layers.{i}.";

    private static readonly string[] VocabularyNames = ["embed_tokens.weight", "lm_head.weight"];

    private readonly Dictionary<string, long[]> _shapes;
    private readonly HashSet<string> _vocabularyNames;

    private DecoderLayout(ModelConfig config, IReadOnlyList<LayerModule> modules, IReadOnlyList<string> embeddingNames,
        IReadOnlyList<string> headNames, int experts, Dictionary<string, long[]> shapes, HashSet<string> vocabularyNames)
    {
        Config = config;
        Modules = modules;
        EmbeddingNames = embeddingNames;
        HeadNames = headNames;
        ExpertCount = experts;
        _shapes = shapes;
        _vocabularyNames = vocabularyNames;
    }

    /// <summary>The config this layout describes.</summary>
    public ModelConfig Config { get; }

    /// <summary>The family's name, or the model_type of an unknown (inferred) model.</summary>
    public string FamilyName => Config.Family?.Family ?? Config.ModelType;

    /// <summary>
    /// The layer stacks: one ("default") for the catalog's families and most inferred layouts, several for an
    /// inferred multimodal layout (in order of their prefixes). Slices address the first.
    /// </summary>
    public IReadOnlyList<LayerModule> Modules { get; }

    /// <summary>Prefix of the first module's layer tensors with the index as "{i}" (e.g. "model.layers.{i}.").</summary>
    public string LayerPrefix => Modules[0].LayerPrefix;

    /// <summary>Names of one layer's tensors of the first module with the index as "{i}" (e.g. "model.layers.{i}.mlp.up_proj.weight"), experts expanded.</summary>
    public IReadOnlyList<string> LayerTemplate => Modules[0].LayerTemplate;

    /// <summary>Layers of the first module (config.json's layer count for the catalog's families).</summary>
    public int LayerCount => Modules[0].LayerCount;

    /// <summary>Tensors before the layers.</summary>
    public IReadOnlyList<string> EmbeddingNames { get; }

    /// <summary>Tensors after the layers (the LM head only when embeddings are not tied).</summary>
    public IReadOnlyList<string> HeadNames { get; }

    /// <summary>Experts per layer (0 for dense families).</summary>
    public int ExpertCount { get; }

    /// <summary>True when EvoMerge's decoder runs this family (search and eval).</summary>
    public bool Evaluable => Config.Family?.Evaluable == true || MultimodalTextPart.Covers(Config.ModelType);

    /// <summary>Set for an unknown model_type merged with an inferred layout: the one-line warning to show.</summary>
    public string? Warning { get; private init; }

    /// <summary>
    /// True when the layout was read from the tensor names (<see cref="InferredArchitecture"/>): a merge then reads it
    /// from every model's names together (<see cref="InferredFrom"/>).
    /// </summary>
    public bool Inferred { get; private init; }

    private IReadOnlySet<string> OptionalLoose { get; init; } = new HashSet<string>();

    /// <summary>
    /// True for a tensor some model or some layer lacks (mergekit's optional weights of an inferred layout): a merge
    /// takes it from the inputs that hold it and does not write it where none does.
    /// </summary>
    public bool IsOptional(string name)
    {
        var role = RoleOf(name);
        return role.Group == TensorGroup.Layer ? Modules[role.Module].OptionalTemplates.Contains(Modules[role.Module].LayerPrefix + role.LocalName) : OptionalLoose.Contains(name);
    }

    /// <summary>
    /// The layout for EvoMerge's decoder (search, eval, training): only the families it runs; a family that only
    /// merges says so, an unknown model_type is an error naming config.json's field. A multimodal gemma3 config gives
    /// its text decoder's layout under the canonical names (<see cref="MultimodalTextPart"/>).
    /// </summary>
    public static DecoderLayout For(ModelConfig config, string configPath)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (MultimodalTextPart.Covers(config.ModelType)) return For(MultimodalTextPart.TextConfig(config, configPath), configPath);
        if (config.Family is { Evaluable: false })
            throw new ModelConfigException(configPath, null,
                $"model_type {config.ModelType} can be merged and inspected but not evaluated yet (evaluated: {string.Join(", ", ModelConfig.SupportedModelTypes)})");
        if (!config.IsSupported)
            throw new ModelConfigException(configPath, "model_type",
                $"'{config.ModelType}' is not supported (supported: {string.Join(", ", ModelConfig.SupportedModelTypes)})");
        return FromFamily(config, configPath, config.Family!);
    }

    /// <summary>
    /// The layout for merging and inspecting: any family of <see cref="ArchitectureCatalog"/> (GPT-2 also as
    /// <c>GPT2Model</c> saves it, without the <c>transformer.</c> prefix); for an unknown model_type, the layout
    /// <see cref="InferredArchitecture"/> reads from <paramref name="tensorNames"/> (with a <see cref="Warning"/>); an
    /// error naming config.json and model_type when the names hold no numbered layers.
    /// </summary>
    public static DecoderLayout ForMerging(ModelConfig config, string configPath, Func<IReadOnlyList<string>> tensorNames)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tensorNames);
        if (config.Family is not { } family) return FromTensorNames(config, configPath, [tensorNames()]);
        return InferenceReason(config) is null ? FromFamily(config, configPath, SavedForm(family, tensorNames)) : FromTensorNames(config, configPath, [tensorNames()]);
    }

    /// <summary>
    /// The inferred layout of several models merged together, as mergekit's auto.py reads it from all of them: the
    /// union of their names, a tensor some model or layer lacks being optional. <paramref name="config"/> is the first model's.
    /// </summary>
    public static DecoderLayout InferredFrom(ModelConfig config, string configPath, IReadOnlyList<IReadOnlyList<string>> models)
    {
        ArgumentNullException.ThrowIfNull(config);
        return FromTensorNames(config, configPath, models);
    }

    /// <summary>
    /// Why a catalog family's model is read from its tensor names (a config value its data does not describe, for a
    /// family mergekit has no data for, so mergekit infers it too), or null.
    /// </summary>
    private static string? InferenceReason(ModelConfig config) =>
        config.Family is { InferredWhenRefused: true } family
        && family.Refusals.FirstOrDefault(r => config.Raw[r.Field] is { } value && value.ToJsonString() != r.AllowedJson) is { } refused
            ? $"{family.Family} with {refused.Field} {config.Raw[refused.Field]!.ToJsonString()} mixes dense and expert layers; merging it with the layout inferred from its tensor names, as mergekit does (it has no {family.Family} data)"
            : null;

    /// <summary>
    /// The family as the files name its tensors: a checkpoint with no tensor under the family's
    /// <see cref="ArchitectureSpec.BareModelPrefix"/> was saved by the bare model class (GPT2Model) and is read, and
    /// merged, under its own names.
    /// </summary>
    private static ArchitectureSpec SavedForm(ArchitectureSpec family, Func<IReadOnlyList<string>> tensorNames) =>
        family.BareModelPrefix is { } prefix && tensorNames() is { Count: > 0 } names && !names.Any(n => n.StartsWith(prefix, StringComparison.Ordinal))
            ? family.WithoutBarePrefix()
            : family;

    private static DecoderLayout FromFamily(ModelConfig config, string configPath, ArchitectureSpec family)
    {
        foreach (var refusal in family.Refusals)
        {
            if (config.Raw[refusal.Field] is { } value && value.ToJsonString() != refusal.AllowedJson)
                throw new ModelConfigException(configPath, refusal.Field, $"{value.ToJsonString()} {refusal.Problem}");
        }
        int experts = 0;
        if (family.ExpertCountKey is { } key)
        {
            experts = config.Raw[key] is JsonValue v && v.TryGetValue(out int n) ? n : throw new ModelConfigException(configPath, key,
                config.Raw[key] is null ? $"is missing ({family.Family} is a mixture of experts)" : "must be an integer");
            if (experts <= 0) throw new ModelConfigException(configPath, key, "must be positive");
        }
        var dimensions = new ArchitectureDimensions(config, configPath, experts);
        var shapes = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var vocabulary = new HashSet<string>(StringComparer.Ordinal);
        List<string> Expand(IEnumerable<ArchitectureTensor> tensors, string prefix)
        {
            var names = new List<string>();
            foreach (var tensor in tensors.Where(t => Present(config, configPath, family, t)))
            {
                if (config.TieWordEmbeddings && tensor.Name == family.TiedName) continue;
                var shape = dimensions.Shape(tensor.Shape);
                var repeat = tensor.Repeat;
                long copies = repeat is { } r ? dimensions.Evaluate(r.Count) : 1;
                for (long e = 0; e < copies; e++)
                {
                    string name = prefix + (repeat is { } rp ? tensor.Name.Replace(rp.Placeholder, e.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal) : tensor.Name);
                    names.Add(name);
                    shapes[name] = shape;
                    if (tensor.IsVocabulary) vocabulary.Add(name);
                }
            }
            return names;
        }
        var module = new LayerModule("default", family.LayerPrefix, Expand(family.Layer, family.LayerPrefix), config.NumHiddenLayers);
        return new DecoderLayout(config, [module], Expand(family.PreLayer, ""), Expand(family.PostLayer, ""), experts, shapes, vocabulary);
    }

    private static bool Present(ModelConfig config, string configPath, ArchitectureSpec family, ArchitectureTensor tensor)
    {
        if (tensor.When is null) return true;
        bool negated = tensor.When.StartsWith('!');
        string flag = negated ? tensor.When[1..] : tensor.When;
        bool value = config.Raw[flag] switch
        {
            null => family.FlagDefaults.GetValueOrDefault(flag),
            JsonValue v when v.TryGetValue(out bool b) => b,
            _ => throw new ModelConfigException(configPath, flag, "must be true or false"),
        };
        return value != negated;
    }

    private static DecoderLayout FromTensorNames(ModelConfig config, string configPath, IReadOnlyList<IReadOnlyList<string>> models)
    {
        string? reason = InferenceReason(config);
        var (modules, loose, optionalLoose) = InferredArchitecture.Infer(models);
        if (modules.Count == 0)
            throw new ModelConfigException(configPath, "model_type",
                $"'{config.ModelType}' is not a known architecture ({string.Join(", ", ArchitectureCatalog.ModelTypes)}) and its tensor names hold no numbered layers (.N.)");
        if (modules.Count == 1 && config.NumHiddenLayers > 0 && config.NumHiddenLayers != modules[0].LayerCount)
            throw new ModelConfigException(configPath, config.LayerCountKey,
                $"{config.NumHiddenLayers} but the weights have {modules[0].LayerCount} layers under {modules[0].LayerPrefix.Replace("{i}", "N", StringComparison.Ordinal)}");
        var embeddings = loose.Where(n => n.Contains("embed", StringComparison.Ordinal)).ToList();
        var head = loose.Where(n => !n.Contains("embed", StringComparison.Ordinal)).ToList();
        var vocabulary = loose.Where(n => VocabularyNames.Any(v => n == v || n.EndsWith("." + v, StringComparison.Ordinal))).ToHashSet(StringComparer.Ordinal);
        string warning = modules is [{ LayerPrefix: StandardPrefix } only]
            ? $"merging it as the standard model.layers.N. layout with the first model's {only.LayerTemplate.Count} tensors per layer"
            : "merging it with the layout inferred from its tensor names, as mergekit does: "
                + string.Join(", ", modules.Select(m => $"{m.LayerPrefix.Replace("{i}", "N", StringComparison.Ordinal)} ({m.LayerCount} layers of {m.LayerTemplate.Count} tensors)"))
                + $" and {loose.Count} other tensors";
        return new DecoderLayout(config, modules, embeddings, head, 0, [], vocabulary)
        {
            Warning = reason is null ? $"{configPath}: model_type '{config.ModelType}' is not a known architecture; {warning}"
                : $"{configPath}: {reason}: " + string.Join(", ", modules.Select(m => $"{m.LayerPrefix.Replace("{i}", "N", StringComparison.Ordinal)} ({m.LayerCount} layers of {m.LayerTemplate.Count} tensors, {m.OptionalTemplates.Count} of them not in every layer)")),
            Inferred = true,
            OptionalLoose = optionalLoose,
        };
    }

    /// <summary>
    /// Every tensor name the model should have, in canonical order (embeddings, layers, head); an inferred layout's
    /// optional tensors (<see cref="IsOptional"/>), which some layer or model lacks, are left out.
    /// </summary>
    public IEnumerable<string> ExpectedNames()
    {
        foreach (string n in EmbeddingNames.Where(n => !OptionalLoose.Contains(n))) yield return n;
        foreach (var module in Modules)
        {
            for (int i = 0; i < module.LayerCount; i++)
            {
                foreach (string t in module.LayerTemplate.Where(t => !module.OptionalTemplates.Contains(t))) yield return LayerName(t, i);
            }
        }
        foreach (string n in HeadNames.Where(n => !OptionalLoose.Contains(n))) yield return n;
    }

    /// <summary>Expected shape of a tensor, or null when the layout does not fix it (unknown architectures).</summary>
    public long[]? ExpectedShape(string name)
    {
        var role = RoleOf(name);
        string key = role.Group == TensorGroup.Layer ? Modules[role.Module].LayerPrefix + role.LocalName : name;
        return _shapes.TryGetValue(key, out var shape) ? shape : null;
    }

    /// <summary>Substitutes a layer index into a template name.</summary>
    public static string LayerName(string template, int layer) =>
        template.Replace("{i}", layer.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>
    /// Classifies a tensor name of this layout: layer tensors (under <see cref="LayerPrefix"/>) get their index and
    /// their name inside the layer; vocabulary-indexed embeddings and heads are marked.
    /// </summary>
    public TensorRole RoleOf(string name)
    {
        for (int m = 0; m < Modules.Count; m++)
        {
            string prefix = Modules[m].LayerPrefix;
            int at = prefix.IndexOf("{i}", StringComparison.Ordinal);
            string head = prefix[..at], tail = prefix[(at + 3)..];
            if (!name.StartsWith(head, StringComparison.Ordinal)) continue;
            int end = head.Length;
            while (end < name.Length && char.IsAsciiDigit(name[end])) end++;
            if (end > head.Length && string.CompareOrdinal(name, end, tail, 0, tail.Length) == 0
                && int.TryParse(name.AsSpan(head.Length, end - head.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int layer))
                return new TensorRole(TensorGroup.Layer, layer, name[(end + tail.Length)..]) { IsEmbedding = false, Module = m };
        }
        var group = EmbeddingNames.Contains(name) ? TensorGroup.Embedding : TensorGroup.Head;
        return new TensorRole(group, -1, name) { IsEmbedding = _vocabularyNames.Contains(name) };
    }

    /// <summary>Classifies a Llama-style tensor name (<c>model.layers.N.</c>); layer tensors get their index and their name inside the layer.</summary>
    public static TensorRole Classify(string name)
    {
        const string prefix = "model.layers.";
        if (name.StartsWith(prefix, StringComparison.Ordinal))
        {
            int dot = name.IndexOf('.', prefix.Length);
            if (dot > prefix.Length && int.TryParse(name.AsSpan(prefix.Length, dot - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int layer))
                return new TensorRole(TensorGroup.Layer, layer, name[(dot + 1)..]);
        }
        if (name.StartsWith("model.embed_tokens", StringComparison.Ordinal)) return new TensorRole(TensorGroup.Embedding, -1, name);
        return new TensorRole(TensorGroup.Head, -1, name);
    }

}
