using TorchSharp;

namespace EvoMerge.Tensors.Lora;

/// <summary>
/// A PEFT LoRA adapter directory (<c>adapter_config.json</c> + <c>adapter_model.safetensors</c>) checked against the
/// base weights it adapts, applied one tensor at a time as the base tensor is read (the adapted model is never held
/// whole). Tensor names follow PEFT's saved layout: <c>base_model.model.MODULE.lora_A.weight</c> /
/// <c>lora_B.weight</c> update <c>MODULE.weight</c> by scale·(B·A); <c>MODULE.lora_embedding_A</c> /
/// <c>lora_embedding_B</c> update an embedding by scale·(B·A)ᵀ; any other <c>base_model.model.NAME</c>
/// (<c>modules_to_save</c>, saved embedding layers) replaces base tensor NAME. Every adapter tensor must match a base
/// tensor with the expected shape (A: [r, in], B: [out, r], r the module's rank); problems name the adapter file and
/// tensor.
/// </summary>
public sealed class LoraAdapter : IDisposable
{
    /// <summary>The adapter's config file name.</summary>
    public const string ConfigFileName = "adapter_config.json";

    /// <summary>The adapter's weights file name.</summary>
    public const string WeightsFileName = "adapter_model.safetensors";

    private const string Prefix = "base_model.model.";

    private readonly SafetensorsFile _file;
    private readonly Dictionary<string, LoraTensorUpdate> _updates;

    private LoraAdapter(string directory, LoraAdapterConfig config, SafetensorsFile file, Dictionary<string, LoraTensorUpdate> updates)
    {
        Directory = directory;
        Config = config;
        _file = file;
        _updates = updates;
    }

    /// <summary>The adapter directory.</summary>
    public string Directory { get; }

    /// <summary>The adapter's config.</summary>
    public LoraAdapterConfig Config { get; }

    /// <summary>The adapter's weights file.</summary>
    public string WeightsPath => _file.Path;

    /// <summary>Names of the base tensors the adapter changes.</summary>
    public IReadOnlyCollection<string> UpdatedTensors => _updates.Keys;

    /// <summary>The update of a base tensor, or null when the adapter leaves it as it is.</summary>
    public LoraTensorUpdate? UpdateOf(string name) => _updates.GetValueOrDefault(name);

    /// <summary>Opens an adapter directory and checks every tensor against <paramref name="baseWeights"/>.</summary>
    public static LoraAdapter Open(string directory, ModelWeights baseWeights)
    {
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: LoRA adapter directory not found");
        var config = LoraAdapterConfig.Load(Path.Combine(directory, ConfigFileName));
        string weightsPath = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(weightsPath))
        {
            string found = File.Exists(Path.Combine(directory, "adapter_model.bin")) ? " (adapter_model.bin is a pickle; only safetensors are read)" : "";
            throw new FileNotFoundException($"{weightsPath}: adapter weights not found{found}", weightsPath);
        }
        var file = SafetensorsFile.Open(weightsPath);
        try
        {
            return new LoraAdapter(directory, config, file, Updates(config, file, baseWeights));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static Dictionary<string, LoraTensorUpdate> Updates(LoraAdapterConfig config, SafetensorsFile file, ModelWeights baseWeights)
    {
        var pairs = new Dictionary<string, (string? A, string? B, bool Embedding)>(StringComparer.Ordinal);
        var updates = new Dictionary<string, LoraTensorUpdate>(StringComparer.Ordinal);
        if (file.Tensors.Count == 0) throw new SafetensorsFormatException(file.Path, null, "holds no tensors");
        foreach (var tensor in file.Tensors)
        {
            string name = tensor.Name;
            if (!name.StartsWith(Prefix, StringComparison.Ordinal))
                throw new SafetensorsFormatException(file.Path, name, $"does not start with '{Prefix}' (not a PEFT LoRA adapter tensor)");
            string rest = name[Prefix.Length..];
            if (Split(rest) is var (module, part, embedding))
            {
                var known = pairs.GetValueOrDefault(module);
                pairs[module] = part == 'A' ? (name, known.B, embedding) : (known.A, name, embedding);
            }
            else if (rest.Contains(".lora_", StringComparison.Ordinal))
            {
                throw new SafetensorsFormatException(file.Path, name, "is a LoRA tensor of a kind EvoMerge does not merge (only lora_A/lora_B weights and lora_embedding_A/B)");
            }
            else
            {
                CheckShape(file, name, baseWeights, rest, null);
                if (!tensor.Shape.SequenceEqual(baseWeights.Info(rest).Shape))
                    throw new SafetensorsFormatException(file.Path, name, $"shape {tensor.ShapeText} differs from the base tensor '{rest}' {baseWeights.Info(rest).ShapeText}");
                updates[rest] = new LoraTensorUpdate(null, null, 0, false, name);
            }
        }
        foreach (var (module, (a, b, embedding)) in pairs)
        {
            string target = module + ".weight";
            string any = a ?? b!;
            if (a is null || b is null)
                throw new SafetensorsFormatException(file.Path, any, $"has no matching {(a is null ? "A" : "B")} tensor for module '{module}'");
            CheckShape(file, any, baseWeights, target, updates);
            var infoA = file.Info(a);
            var infoB = file.Info(b);
            var baseShape = baseWeights.Info(target).Shape;
            int rank = config.RankOf(module);
            bool transposed = embedding || config.FanInFanOut;
            if (infoA.Shape.Length != 2 || infoB.Shape.Length != 2 || baseShape.Length != 2)
                throw new SafetensorsFormatException(file.Path, a, $"LoRA tensors and their base tensor '{target}' must be matrices (A {infoA.ShapeText}, B {infoB.ShapeText}, base {baseWeights.Info(target).ShapeText})");
            if (infoA.Shape[0] != rank)
                throw new SafetensorsFormatException(file.Path, a, $"has rank {infoA.Shape[0]} (shape {infoA.ShapeText}) but {config.File} gives module '{module}' rank {rank} (r or rank_pattern)");
            long outputs = transposed ? baseShape[1] : baseShape[0];
            long inputs = transposed ? baseShape[0] : baseShape[1];
            if (infoA.Shape[1] != inputs)
                throw new SafetensorsFormatException(file.Path, a, $"shape {infoA.ShapeText} does not fit base tensor '{target}' {baseWeights.Info(target).ShapeText} (expected [{rank}, {inputs}])");
            if (infoB.Shape[0] != outputs || infoB.Shape[1] != rank)
                throw new SafetensorsFormatException(file.Path, b, $"shape {infoB.ShapeText} does not fit base tensor '{target}' {baseWeights.Info(target).ShapeText} (expected [{outputs}, {rank}])");
            updates[target] = new LoraTensorUpdate(a, b, config.ScaleOf(module), transposed, null);
        }
        return updates;
    }

    private static void CheckShape(SafetensorsFile file, string adapterTensor, ModelWeights baseWeights, string target, Dictionary<string, LoraTensorUpdate>? updates)
    {
        if (!baseWeights.Contains(target))
            throw new SafetensorsFormatException(file.Path, adapterTensor, $"matches no tensor of the base model {baseWeights.Directory} (expected '{target}')");
        if (updates is not null && updates.ContainsKey(target))
            throw new SafetensorsFormatException(file.Path, adapterTensor, $"updates '{target}', which the adapter also replaces whole");
    }

    /// <summary>(module, 'A' or 'B', embedding?) for a LoRA factor name (without the prefix), or null.</summary>
    private static (string Module, char Part, bool Embedding)? Split(string rest)
    {
        foreach (var (suffix, part, embedding) in new[] { (".lora_A.weight", 'A', false), (".lora_B.weight", 'B', false), (".lora_embedding_A", 'A', true), (".lora_embedding_B", 'B', true) })
        {
            if (rest.EndsWith(suffix, StringComparison.Ordinal) && rest.Length > suffix.Length) return (rest[..^suffix.Length], part, embedding);
        }
        return null;
    }

    /// <summary>
    /// Applies the adapter to <paramref name="values"/>, which hold base tensor <paramref name="name"/> (any shape-equal
    /// float tensor); tensors the adapter does not change are left as they are. The low-rank product is computed in
    /// float32 and added in the tensor's dtype (callers pass float32 so the sum is rounded once).
    /// </summary>
    public void Apply(string name, torch.Tensor values)
    {
        if (!_updates.TryGetValue(name, out var update)) return;
        using var scope = torch.NewDisposeScope();
        if (update.Replacement is { } replacement)
        {
            values.copy_(_file.Load(replacement).view(values.shape));
            return;
        }
        var a = _file.Load(update.A!, torch.ScalarType.Float32);
        var b = _file.Load(update.B!, torch.ScalarType.Float32);
        var delta = b.matmul(a);
        if (update.Transposed) delta = delta.t();
        using var scale = update.Scale.ToScalar();
        delta.mul_(scale);
        values.add_(delta.to(values.dtype), ScalarConstants.One);
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
