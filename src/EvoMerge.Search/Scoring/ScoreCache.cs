using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Scoring;

/// <summary>
/// Scores kept per machine, shared by runs: one JSON file per key, <c>KEY.json</c> in <see cref="Directory"/>, where
/// the key is a SHA-256 of everything that changes the score (see <see cref="EvoMerge.Search.Runs.ReferenceScoreKeys"/>).
/// Entries are written atomically (a temporary file, then a rename), so runs writing the same key at once both
/// succeed and a reader sees a whole entry or none. An entry that does not parse, names another key or scorer version,
/// or holds a wrong number of values or a non-finite one is never trusted: it is reported through the warning callback
/// and treated as missing (the caller scores again and overwrites it). A failure to write is a warning, never an
/// error. File hashes are remembered under <c>file-hashes/</c> (see <see cref="FileContentHashes"/>).
/// </summary>
public sealed class ScoreCache
{
    /// <summary>
    /// The scorer's version, part of every key. Bump it whenever a change could change a score the cache holds: the
    /// forward pass or its numerics (Inference), tokenisation or prompt building, a metric or aggregation (Evaluation),
    /// how a candidate is scored (<see cref="CandidateEvaluator"/>), or the merge math of the reference recipes
    /// (linear, task_arithmetic, ties, passthrough). Old entries then simply stop matching.
    /// </summary>
    public const int ScorerVersion = 1;

    /// <summary>The kind of device scores are computed on (<see cref="ComputeDevice.Current"/>: cpu or cuda), part of every key.</summary>
    public static string Device => ComputeDevice.Current.type.ToString().ToLowerInvariant();

    private const int Format = 1;

    private readonly Action<string>? _warn;

    /// <summary>A cache in <paramref name="directory"/> (created when first written); problems go to <paramref name="warn"/>.</summary>
    public ScoreCache(string directory, Action<string>? warn = null)
    {
        Directory = Path.GetFullPath(directory);
        _warn = warn;
        Hashes = new FileContentHashes(Path.Combine(Directory, "file-hashes"));
    }

    /// <summary>The cache directory.</summary>
    public string Directory { get; }

    /// <summary>Content hashes of files, remembered in this cache.</summary>
    public FileContentHashes Hashes { get; }

    /// <summary>The file of <paramref name="key"/>'s entry.</summary>
    public string EntryPath(string key) => Path.Combine(Directory, key + ".json");

    /// <summary>The cached values of <paramref name="key"/> (<paramref name="count"/> finite numbers), or null when none is trustworthy.</summary>
    public double[]? TryRead(string key, int count) => Read(key, count, _warn);

    /// <summary>True when <paramref name="key"/> has a trustworthy entry of <paramref name="count"/> values (nothing reported).</summary>
    public bool Contains(string key, int count) => Read(key, count, null) is not null;

    /// <summary>Writes <paramref name="key"/>'s entry: the values, with a label and the objective names for people reading it.</summary>
    public void Write(string key, string label, IReadOnlyList<string> objectives, IReadOnlyList<double> values)
    {
        var entry = new JsonObject
        {
            ["format"] = Format,
            ["key"] = key,
            ["scorer_version"] = ScorerVersion,
            ["label"] = label,
            ["objectives"] = new JsonArray([.. objectives.Select(o => (JsonNode)JsonValue.Create(o))]),
            ["values"] = new JsonArray([.. values.Select(v => (JsonNode)JsonValue.Create(v))]),
        };
        string path = EntryPath(key);
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            AtomicFile.WriteAllText(path, entry.ToJsonString() + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _warn?.Invoke($"score cache: {path} not written: {e.Message}");
        }
    }

    /// <summary>Reports a problem with the cache through the warning callback (the caller goes on without it).</summary>
    public void Report(string problem) => _warn?.Invoke(problem);

    private double[]? Read(string key, int count, Action<string>? warn)
    {
        string path = EntryPath(key);
        string text;
        try
        {
            if (!File.Exists(path)) return null;
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            warn?.Invoke($"score cache: {path} not readable ({e.Message}); scoring again");
            return null;
        }
        string? problem;
        double[]? values = null;
        try
        {
            var entry = JsonNode.Parse(text) as JsonObject;
            values = (entry?["values"] as JsonArray)?.Select(v => v?.GetValue<double>() ?? double.NaN).ToArray();
            problem = entry is null ? "not a JSON object"
                : entry["format"]?.GetValue<int>() != Format ? "unknown format"
                : entry["key"]?.GetValue<string>() != key ? "it names another key"
                : entry["scorer_version"]?.GetValue<int>() != ScorerVersion ? "another scorer version"
                : values is null ? "no values"
                : values.Length != count ? string.Create(CultureInfo.InvariantCulture, $"{values.Length} values, {count} expected")
                : !values.All(double.IsFinite) ? "a value is not finite"
                : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            problem = "not valid JSON";
        }
        if (problem is null) return values;
        warn?.Invoke($"score cache: ignoring corrupt entry {path} ({problem}); scoring again");
        return null;
    }
}
