namespace EvoMerge.Tensors;

/// <summary>
/// A model in HuggingFace layout: <c>config.json</c>, safetensors weights (single or sharded) and tokenizer and
/// generation files. Opened with a LoRA adapter directory (<c>BASE+ADAPTER</c> in a recipe), its weights are the
/// base's with the adapter applied as each tensor is read; config and auxiliary files are the base's.
/// </summary>
public sealed class ModelDirectory : IDisposable
{
    /// <summary>Non-weight files copied from a donor into a merged model (mergekit copies the same set).</summary>
    public static readonly IReadOnlyList<string> AuxiliaryFileNames =
    [
        "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
        "tokenizer.model", "added_tokens.json", "vocab.json", "merges.txt", "chat_template.jinja", "chat_template.json",
    ];

    private ModelWeights? _weights;

    private ModelDirectory(string path, ModelConfig config, string? adapterPath)
    {
        Path = path;
        Config = config;
        AdapterPath = adapterPath;
    }

    /// <summary>The directory.</summary>
    public string Path { get; }

    /// <summary>The LoRA adapter directory applied to the weights, or null.</summary>
    public string? AdapterPath { get; }

    /// <summary>Path of config.json.</summary>
    public string ConfigPath => System.IO.Path.Combine(Path, "config.json");

    /// <summary>The parsed config.</summary>
    public ModelConfig Config { get; }

    /// <summary>The weights, opened (and their headers, and the adapter's tensors, validated) on first use.</summary>
    public ModelWeights Weights => _weights ??= ModelWeights.Open(Path, AdapterPath);

    /// <summary>Auxiliary files present in the directory.</summary>
    public IReadOnlyList<string> AuxiliaryFiles =>
        AuxiliaryFileNames.Where(f => File.Exists(System.IO.Path.Combine(Path, f))).ToArray();

    /// <summary>Opens a model directory and reads its config.</summary>
    public static ModelDirectory Open(string path) => Open(path, null);

    /// <summary>
    /// Opens a model directory whose weights are adapted by the LoRA adapter in <paramref name="adapterPath"/> (when
    /// not null). A routed-experts model (config.json's <c>evomerge_routed</c>) is refused: only
    /// <see cref="OpenRoutedAware"/>'s callers know its extra tensors.
    /// </summary>
    public static ModelDirectory Open(string path, string? adapterPath)
    {
        var directory = OpenRoutedAware(path, adapterPath);
        if (Routed.RoutedExpertsConfig.IsRouted(directory.Config))
            throw new ModelConfigException(directory.ConfigPath, Routed.RoutedExpertsConfig.Key,
                "marks a routed-experts model (docs/routed-merges.md); only evomerge eval and inspect read it, it cannot be merged, analyzed or searched from");
        return directory;
    }

    /// <summary>Opens a plain or a routed-experts model directory (for the decoder, which runs both).</summary>
    public static ModelDirectory OpenRoutedAware(string path, string? adapterPath = null)
    {
        if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: model directory not found");
        if (adapterPath is not null && !Directory.Exists(adapterPath)) throw new DirectoryNotFoundException($"{adapterPath}: LoRA adapter directory not found");
        return new ModelDirectory(path, ModelConfig.Load(System.IO.Path.Combine(path, "config.json")), adapterPath);
    }

    /// <summary>The layout for EvoMerge's decoder (search, eval); a family that only merges, or an unknown model_type, is an error.</summary>
    public DecoderLayout Layout => DecoderLayout.For(Config, ConfigPath);

    /// <summary>The layout for merging and inspecting: any known family, or an unknown model_type with the standard layout.</summary>
    public DecoderLayout MergeLayout => DecoderLayout.ForMerging(Config, ConfigPath, () => Weights.Names);

    /// <summary>
    /// Checks that every tensor the layout expects exists with the shape the config implies; the first problem is
    /// raised as an error naming the file and tensor.
    /// </summary>
    public void Validate()
    {
        var layout = Layout;
        foreach (string name in layout.ExpectedNames())
        {
            if (!Weights.Contains(name))
                throw new SafetensorsFormatException(Path, name, "missing from the model's weights");
            var info = Weights.Info(name);
            var expected = layout.ExpectedShape(name);
            if (expected is not null && !expected.SequenceEqual(info.Shape))
                throw new SafetensorsFormatException(Weights.FileOf(name).Path, name,
                    $"shape {info.ShapeText} does not match config.json (expected [{string.Join(", ", expected)}])");
        }
    }

    /// <summary>Copies tokenizer and generation files to another directory.</summary>
    public void CopyAuxiliaryFilesTo(string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string file in AuxiliaryFiles)
            File.Copy(System.IO.Path.Combine(Path, file), System.IO.Path.Combine(destination, file), overwrite: true);
    }

    /// <inheritdoc />
    public void Dispose() => _weights?.Dispose();
}
