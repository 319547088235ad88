using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using EvoMerge.Evaluation;
using EvoMerge.Search.Configuration;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Runs;

/// <summary>
/// The inputs of a run and their SHA-256 fingerprints, recorded in <c>run.json</c> when the run starts and compared on
/// resume: the saved config (<c>config.yml</c> of the run directory), every task file the objectives, constraints and
/// proxy tasks name and the Parquet data each one scores or draws few-shot examples from, and for the base and every
/// source model its <c>config.json</c>, its shard index when sharded and each safetensors shard's header with the
/// shard's size (the header bytes, not the weights: cheap, and it sees any change of tensor names, dtypes, shapes,
/// offsets, metadata or length).
/// </summary>
public static class RunInputs
{
    /// <summary>Kind of the saved config.</summary>
    public const string Config = "config";

    /// <summary>Kind of an eval task YAML.</summary>
    public const string TaskFile = "task file";

    /// <summary>Kind of a task's Parquet data.</summary>
    public const string TaskData = "task data";

    /// <summary>Kind of a model's config.json.</summary>
    public const string ModelConfig = "model config";

    /// <summary>Kind of a sharded model's index.</summary>
    public const string ModelIndex = "model index";

    /// <summary>Kind of a safetensors file (fingerprinted by header and size).</summary>
    public const string ModelHeader = "model weights header";

    /// <summary>Kind of the run's evaluations journal (an output, fingerprinted in each checkpoint, not an input).</summary>
    public const string Journal = "evaluations journal";

    /// <summary>
    /// The fingerprints of <paramref name="config"/>'s inputs, the config first (its text as saved, path relative to
    /// the run directory), then task files and their data, then models; each path once.
    /// </summary>
    public static IReadOnlyList<InputFingerprint> Fingerprint(SearchConfig config)
    {
        var inputs = new List<InputFingerprint> { new(Config, Path.GetFileName(new RunFiles(config.RunDirectory).Config), Sha256(Encoding.UTF8.GetBytes(config.Text))) };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string kind, string path)
        {
            if (seen.Add(path)) inputs.Add(new InputFingerprint(kind, path, Compute(kind, path) ?? throw new FileNotFoundException($"{path}: not found", path)));
        }
        var taskFiles = config.TaskFiles.Concat(config.ProxyTasks ?? []).Select(Path.GetFullPath).ToList();
        foreach (string file in taskFiles) Add(TaskFile, file);
        foreach (string file in taskFiles)
        {
            var definition = EvalTaskDefinition.Read(file);
            Add(TaskData, Path.GetFullPath(definition.DataFile));
            if (definition.NumFewshot > 0) Add(TaskData, Path.GetFullPath(definition.FewshotDataFile));
        }
        foreach (string model in new[] { config.BaseModel }.Concat(config.Models).Select(Path.GetFullPath))
        {
            Add(ModelConfig, Path.Combine(model, "config.json"));
            string index = Path.Combine(model, ModelWeights.IndexFileName);
            if (File.Exists(index)) Add(ModelIndex, index);
            using var weights = ModelWeights.Open(model);
            foreach (string shard in weights.ShardFiles) Add(ModelHeader, Path.Combine(model, shard));
        }
        return inputs;
    }

    /// <summary>
    /// The recorded inputs whose fingerprint differs now (or whose file is gone), in recorded order; relative paths
    /// are inside <paramref name="runDirectory"/>.
    /// </summary>
    public static IReadOnlyList<InputChange> Changes(string runDirectory, IReadOnlyList<InputFingerprint> recorded)
    {
        var changes = new List<InputChange>();
        foreach (var input in recorded)
        {
            string? now = Compute(input.Kind, Path.Combine(runDirectory, input.Path));
            if (!string.Equals(now, input.Sha256, StringComparison.Ordinal)) changes.Add(new InputChange(input.Kind, input.Path, input.Sha256, now));
        }
        return changes;
    }

    /// <summary>The fingerprint of one input now, or null when the file does not exist.</summary>
    public static string? Compute(string kind, string path)
    {
        if (!File.Exists(path)) return null;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        return kind == ModelHeader ? HeaderSha256(stream) : Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>
    /// SHA-256 of a safetensors file's 8-byte header length, its header bytes (when the length fits the file and the
    /// header limit; none otherwise) and the file's size as 8 little-endian bytes. Never throws on malformed bytes.
    /// </summary>
    private static string HeaderSha256(Stream stream)
    {
        long size = stream.Length;
        var prefix = new byte[Math.Min(8, size)];
        stream.ReadExactly(prefix);
        long header = prefix.Length == 8 ? BinaryPrimitives.ReadInt64LittleEndian(prefix) : -1;
        bool fits = header >= 0 && header <= SafetensorsHeader.MaxHeaderBytes && header <= size - 8;
        var bytes = new byte[prefix.Length + (fits ? header : 0) + 8];
        prefix.CopyTo(bytes, 0);
        if (fits) stream.ReadExactly(bytes, prefix.Length, (int)header);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), size);
        return Sha256(bytes);
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
