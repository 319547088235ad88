using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Search.Configuration;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Lora;

namespace EvoMerge.Search.Runs;

/// <summary>
/// The LoRA sources of a search config (<c>base_model</c> or <c>models</c> entries written <c>BASE+ADAPTER</c>),
/// each materialised once as a plain model directory under <c>RUN/sources/</c> (<c>base_model-ADAPTER</c> or
/// <c>models-I-ADAPTER</c>) and used by the search in its place. The adapted weights are written tensor by tensor
/// (never the whole model in memory) into a temporary directory that is renamed into place when complete, with
/// <c>lora-source.json</c> recording the base and adapter and the fingerprints of their files; a later setup (resume,
/// export, workers) reuses the directory when those still match and refuses it, naming the file, when they do not.
/// </summary>
public static class LoraSources
{
    /// <summary>The folder of the run directory that holds materialised sources.</summary>
    public const string FolderName = "sources";

    /// <summary>The file that records where a materialised source came from.</summary>
    public const string OriginFileName = "lora-source.json";

    /// <summary>Splits a config entry into the base directory and the adapter directory (null for a plain model).</summary>
    public static (string Base, string? Adapter) Split(string entry)
    {
        int plus = entry.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? (entry, null) : (entry[..plus], entry[(plus + 1)..]);
    }

    /// <summary>The directories a config entry names: the model, and the adapter of a <c>BASE+ADAPTER</c> entry.</summary>
    public static IEnumerable<string> Parts(string entry)
    {
        var (baseModel, adapter) = Split(entry);
        return adapter is null ? [baseModel] : [baseModel, adapter];
    }

    /// <summary>
    /// The config with every <c>BASE+ADAPTER</c> entry replaced by its materialised directory (made now when missing);
    /// a config without LoRA entries is returned as it is.
    /// </summary>
    public static SearchConfig Materialize(SearchConfig config)
    {
        if (Split(config.BaseModel).Adapter is null && config.Models.All(m => Split(m).Adapter is null)) return config;
        string folder = Path.Combine(config.RunDirectory, FolderName);
        return config with
        {
            BaseModel = Resolve(config, config.BaseModel, "base_model", folder, "base_model"),
            Models = config.Models.Select((m, i) => Resolve(config, m, $"models[{i}]", folder, $"models-{i}")).ToList(),
        };
    }

    private static string Resolve(SearchConfig config, string entry, string at, string folder, string prefix)
    {
        var (baseModel, adapter) = Split(entry);
        if (adapter is null) return entry;
        if (!Directory.Exists(baseModel)) throw SearchConfigReader.ErrorAt(config, at, $"model directory {baseModel} not found");
        if (!Directory.Exists(adapter)) throw SearchConfigReader.ErrorAt(config, at, $"LoRA adapter directory {adapter} not found");
        string directory = Path.Combine(folder, $"{prefix}-{Path.GetFileName(Path.TrimEndingDirectorySeparator(adapter))}");
        var origin = Origin(baseModel, adapter);
        string originFile = Path.Combine(directory, OriginFileName);
        if (Directory.Exists(directory))
        {
            var recorded = File.Exists(originFile) ? JsonNode.Parse(File.ReadAllText(originFile)) : null;
            if (recorded is null || !JsonNode.DeepEquals(recorded, origin))
                throw SearchConfigReader.ErrorAt(config, at,
                    $"{originFile}: the materialised source was made from another base or adapter, or they changed since; restore them, or delete {directory} to rebuild it");
            return directory;
        }
        Write(baseModel, adapter, directory, origin);
        return directory;
    }

    /// <summary>The base and adapter directories and the fingerprints of their files (adapter files whole, base config whole, shard headers).</summary>
    private static JsonObject Origin(string baseModel, string adapter)
    {
        var files = new JsonObject();
        void Add(string kind, string path) => files[path] = RunInputs.Compute(kind, path) ?? throw new FileNotFoundException($"{path}: not found", path);
        Add(RunInputs.TaskData, Path.Combine(adapter, LoraAdapter.ConfigFileName));
        Add(RunInputs.TaskData, Path.Combine(adapter, LoraAdapter.WeightsFileName));
        Add(RunInputs.ModelConfig, Path.Combine(baseModel, "config.json"));
        using var weights = ModelWeights.Open(baseModel);
        foreach (string shard in weights.ShardFiles) Add(RunInputs.ModelHeader, Path.Combine(baseModel, shard));
        return new JsonObject { ["base_model"] = baseModel, ["adapter"] = adapter, ["files"] = files };
    }

    private static void Write(string baseModel, string adapter, string directory, JsonObject origin)
    {
        string temporary = directory + AtomicFile.TempSuffix;
        if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        Directory.CreateDirectory(temporary);
        try
        {
            using (var model = ModelDirectory.Open(baseModel, adapter))
            {
                var weights = model.Weights;
                var plan = weights.Names.Select(n => { var info = weights.Info(n); return new TensorSpec(n, info.DType, info.Shape); }).ToList();
                using (var writer = new SafetensorsWriter(temporary, plan))
                {
                    foreach (string name in weights.Names)
                    {
                        using var tensor = weights.Load(name);
                        writer.Write(name, tensor);
                    }
                    writer.Complete();
                }
                File.Copy(model.ConfigPath, Path.Combine(temporary, "config.json"));
                model.CopyAuxiliaryFilesTo(temporary);
            }
            File.WriteAllText(Path.Combine(temporary, OriginFileName), origin.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            Directory.Move(temporary, directory);
        }
        catch (IOException) when (Directory.Exists(directory) && File.Exists(Path.Combine(directory, OriginFileName)))
        {
            Directory.Delete(temporary, recursive: true);
        }
        catch
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
            throw;
        }
    }
}
