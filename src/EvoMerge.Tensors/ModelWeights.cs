using System.Text.Json;
using EvoMerge.Tensors.Lora;
using TorchSharp;

namespace EvoMerge.Tensors;

/// <summary>
/// All safetensors weights of one model directory: either a single <c>model.safetensors</c> or shards listed by
/// <c>model.safetensors.index.json</c> ("weight_map": tensor → shard file). Every shard is memory mapped and its
/// header validated when the weights are opened; tensor bytes are read only when asked for. Opened with a LoRA
/// adapter (<see cref="Open(string, string?)"/>), <see cref="Load"/> and <see cref="ReadInto"/> return the adapted
/// tensors (names, shapes and dtypes stay the base's); readers of raw bytes apply <see cref="Adapter"/> themselves.
/// </summary>
public sealed class ModelWeights : IDisposable
{
    /// <summary>The single-file weights name.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The shard index name.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly Dictionary<string, string> _fileOfTensor;
    private readonly Dictionary<string, SafetensorsFile> _open;
    private readonly Lock _gate = new();

    private ModelWeights(string directory, IReadOnlyList<string> shardFiles, Dictionary<string, string> fileOfTensor, Dictionary<string, SafetensorsFile> opened)
    {
        Directory = directory;
        ShardFiles = shardFiles;
        _fileOfTensor = fileOfTensor;
        _open = opened;
        Names = fileOfTensor.Keys.ToArray();
    }

    /// <summary>The model directory.</summary>
    public string Directory { get; }

    /// <summary>Shard file names (relative to <see cref="Directory"/>), sorted by name.</summary>
    public IReadOnlyList<string> ShardFiles { get; }

    /// <summary>The LoRA adapter applied to the tensors as they are read, or null.</summary>
    public LoraAdapter? Adapter { get; private set; }

    /// <summary>All tensor names, in shard and file order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>
    /// Opens the weights of a directory and validates every shard header and the index: a shard the index names
    /// must exist, and must hold every tensor the index places in it; a model without tensors is refused.
    /// </summary>
    public static ModelWeights Open(string directory)
    {
        string indexPath = Path.Combine(directory, IndexFileName);
        string singlePath = Path.Combine(directory, SingleFileName);
        var opened = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        var fileOf = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (File.Exists(indexPath))
            {
                var weightMap = ReadIndex(indexPath);
                if (weightMap.Count == 0) throw new SafetensorsFormatException(indexPath, null, "weight_map names no tensors (a model needs at least one)");
                var shards = weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                foreach (string shard in shards)
                {
                    string shardPath = Path.Combine(directory, shard);
                    if (!File.Exists(shardPath))
                        throw new SafetensorsFormatException(indexPath, null, $"weight_map names shard '{shard}', which does not exist");
                    opened[shard] = SafetensorsFile.Open(shardPath);
                }
                var ordered = new List<(string Name, string Shard, long Offset)>();
                foreach (var (name, shard) in weightMap)
                {
                    var file = opened[shard];
                    if (!file.Contains(name))
                        throw new SafetensorsFormatException(indexPath, name, $"weight_map places it in '{shard}', which has no such tensor");
                    ordered.Add((name, shard, file.Info(name).DataBegin));
                }
                foreach (var (shard, file) in opened)
                {
                    foreach (var t in file.Tensors)
                    {
                        if (!weightMap.ContainsKey(t.Name))
                            throw new SafetensorsFormatException(indexPath, t.Name, $"present in shard '{shard}' but missing from weight_map");
                    }
                }
                foreach (var (name, shard, _) in ordered.OrderBy(o => shards.IndexOf(o.Shard)).ThenBy(o => o.Offset))
                {
                    fileOf[name] = shard;
                }
                return new ModelWeights(directory, shards, fileOf, opened);
            }

            if (File.Exists(singlePath))
            {
                var file = SafetensorsFile.Open(singlePath);
                opened[SingleFileName] = file;
                if (file.Tensors.Count == 0) throw new SafetensorsFormatException(singlePath, null, "holds no tensors (a model needs at least one)");
                foreach (var t in file.Tensors) fileOf[t.Name] = SingleFileName;
                return new ModelWeights(directory, [SingleFileName], fileOf, opened);
            }
        }
        catch
        {
            foreach (var f in opened.Values) f.Dispose();
            throw;
        }

        throw new FileNotFoundException($"{directory}: no {SingleFileName} or {IndexFileName} found");
    }

    /// <summary>
    /// Opens the weights of <paramref name="directory"/> with the LoRA adapter in <paramref name="adapterDirectory"/>
    /// (when not null) checked against them and applied as tensors are read.
    /// </summary>
    public static ModelWeights Open(string directory, string? adapterDirectory)
    {
        var weights = Open(directory);
        if (adapterDirectory is null) return weights;
        try
        {
            weights.Adapter = LoraAdapter.Open(adapterDirectory, weights);
            return weights;
        }
        catch
        {
            weights.Dispose();
            throw;
        }
    }

    private static Dictionary<string, string> ReadIndex(string indexPath)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(indexPath));
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(indexPath, null, $"not valid JSON ({e.Message})");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(indexPath, null, "missing 'weight_map' object");
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var entry in map.EnumerateObject())
            {
                if (entry.Value.ValueKind != JsonValueKind.String)
                    throw new SafetensorsFormatException(indexPath, entry.Name, "weight_map value must be a shard file name");
                string shard = entry.Value.GetString()!;
                if (shard.Contains('/') || shard.Contains('\\') || shard == ".." || shard.Length == 0)
                    throw new SafetensorsFormatException(indexPath, entry.Name, $"weight_map shard '{shard}' is not a plain file name");
                if (!result.TryAdd(entry.Name, shard))
                    throw new SafetensorsFormatException(indexPath, entry.Name, "duplicate tensor name in weight_map");
            }
            return result;
        }
    }

    /// <summary>True when the model has a tensor of that name.</summary>
    public bool Contains(string name) => _fileOfTensor.ContainsKey(name);

    /// <summary>The shard that holds a tensor.</summary>
    public SafetensorsFile FileOf(string name)
    {
        if (!_fileOfTensor.TryGetValue(name, out string? shard))
            throw new KeyNotFoundException($"{Directory}: model has no tensor named '{name}'");
        lock (_gate)
        {
            return _open[shard];
        }
    }

    /// <summary>Header entry of a tensor.</summary>
    public TensorInfo Info(string name) => FileOf(name).Info(name);

    /// <summary>Loads a tensor (see <see cref="SafetensorsFile.Load"/>), adapted when an adapter changes it.</summary>
    public torch.Tensor Load(string name, torch.ScalarType? dtype = null)
    {
        if (Adapter is not { } adapter || adapter.UpdateOf(name) is null) return FileOf(name).Load(name, dtype);
        var exact = FileOf(name).Load(name, torch.ScalarType.Float32);
        adapter.Apply(name, exact);
        var target = dtype ?? Info(name).DType.ToScalarType();
        if (target == torch.ScalarType.Float32) return exact;
        using (exact) return exact.to(target);
    }

    /// <summary>Reads a tensor into an existing tensor (see <see cref="SafetensorsFile.ReadInto"/>), adapted when an adapter changes it.</summary>
    public void ReadInto(string name, torch.Tensor destination)
    {
        if (Adapter is not { } adapter || adapter.UpdateOf(name) is null)
        {
            FileOf(name).ReadInto(name, destination);
            return;
        }
        using var adapted = Load(name, torch.ScalarType.Float32);
        destination.copy_(adapted);
    }

    /// <summary>Total bytes of all shard files.</summary>
    public long TotalBytes => _open.Values.Sum(f => f.Length);

    /// <summary>Total number of parameters (elements) across all tensors.</summary>
    public long ParameterCount => Names.Sum(n => Info(n).ElementCount);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var f in _open.Values) f.Dispose();
        _open.Clear();
        Adapter?.Dispose();
        Adapter = null;
    }
}
