using System.Text.Json;
using EvoMerge.Evaluation;
using EvoMerge.Search.Scoring;
using EvoMerge.Tensors;
using Parquet;
using Parquet.Schema;

namespace EvoMerge.Search.Runs;

/// <summary>
/// <c>evaluations.parquet</c>: every evaluation of a run, one row group per generation. A generation is appended by
/// copying the file, appending the row group to the copy and renaming it over the original (temp + fsync + rename),
/// so a crash leaves either the old or the new file, never a torn one. Columns: generation, index, genome,
/// recipe_hash, status, reason, cached, one <c>objective.NAME</c> and <c>constraint.I</c> column per objective and
/// constraint, constraint_violation, items_evaluated, items_saved, materialize_seconds, score_seconds, item_scores.
/// </summary>
public sealed class EvaluationLog
{
    /// <summary>The file name in a run directory.</summary>
    public const string FileName = "evaluations.parquet";

    private readonly string _path;
    private readonly IReadOnlyList<string> _objectives;
    private readonly int _constraints;
    private readonly ParquetSchema _schema;

    /// <param name="path">The parquet file.</param>
    /// <param name="objectives">Objective names (column suffixes), in config order.</param>
    /// <param name="constraints">Number of constraints.</param>
    public EvaluationLog(string path, IReadOnlyList<string> objectives, int constraints)
    {
        _path = path;
        _objectives = objectives;
        _constraints = constraints;
        var fields = new List<Field>
        {
            new DataField<int>("generation"), new DataField<int>("index"), new DataField<string>("genome", false),
            new DataField<string>("recipe_hash", false), new DataField<string>("status", false), new DataField<string>("reason", false),
            new DataField<bool>("cached"),
        };
        fields.AddRange(objectives.Select(o => new DataField<double>("objective." + o)));
        fields.AddRange(Enumerable.Range(0, constraints).Select(i => new DataField<double>($"constraint.{i}")));
        fields.AddRange([
            new DataField<double>("constraint_violation"), new DataField<int>("items_evaluated"), new DataField<int>("items_saved"),
            new DataField<double>("materialize_seconds"), new DataField<double>("score_seconds"), new DataField<string>("item_scores", false),
        ]);
        _schema = new ParquetSchema(fields);
    }

    /// <summary>Appends one generation's rows as a new row group (atomically).</summary>
    public void AppendGeneration(IReadOnlyList<EvaluationRecord> rows)
    {
        string temp = AtomicFile.TempPathFor(_path);
        try
        {
            bool append = File.Exists(_path);
            if (append) File.Copy(_path, temp);
            using (var stream = new FileStream(temp, append ? FileMode.Open : FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                WriteRowGroup(stream, rows, append).GetAwaiter().GetResult();
                stream.Flush(flushToDisk: true);
            }
            AtomicFile.Commit(temp, _path);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Rewrites the file with only its first <paramref name="rowGroups"/> row groups (after a crash between the log and
    /// the checkpoint), atomically: the old file stays until the new one is renamed over it.
    /// </summary>
    public void Truncate(int rowGroups)
    {
        var groups = ReadGroups(rowGroups);
        if (groups.Count == 0)
        {
            AtomicFile.TryDelete(_path);
            return;
        }
        string temp = AtomicFile.TempPathFor(_path);
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                for (int g = 0; g < groups.Count; g++) WriteRowGroup(stream, groups[g], append: g > 0).GetAwaiter().GetResult();
                stream.Flush(flushToDisk: true);
            }
            AtomicFile.Commit(temp, _path);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    /// <summary>Number of row groups in the file (0 when it does not exist).</summary>
    public int RowGroupCount()
    {
        if (!File.Exists(_path)) return 0;
        var reader = SafeParquetReader.OpenAsync(_path).GetAwaiter().GetResult();
        try
        {
            return reader.RowGroupCount;
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>The rows of the first <paramref name="rowGroups"/> row groups, in order.</summary>
    public IReadOnlyList<EvaluationRecord> Read(int rowGroups = int.MaxValue) => ReadGroups(rowGroups).SelectMany(g => g).ToArray();

    private List<List<EvaluationRecord>> ReadGroups(int rowGroups) => ReadGroupsAsync(rowGroups).GetAwaiter().GetResult();

    private async Task<List<List<EvaluationRecord>>> ReadGroupsAsync(int rowGroups)
    {
        var result = new List<List<EvaluationRecord>>();
        if (!File.Exists(_path)) return result;
        await using var reader = await SafeParquetReader.OpenAsync(_path);
        string? column = null;
        try
        {
            await ReadGroupsAsync(reader, rowGroups, result, name => column = name);
        }
        catch (Exception e) when (SafeParquetReader.IsCorruption(e))
        {
            throw SafeParquetReader.Corrupt(_path, column, e);
        }
        return result;
    }

    /// <summary>Reads the row groups into <paramref name="result"/>, telling <paramref name="reading"/> each column before reading it.</summary>
    private async Task ReadGroupsAsync(ParquetReader reader, int rowGroups, List<List<EvaluationRecord>> result, Action<string> reading)
    {
        var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.Ordinal);
        DataField F(string name)
        {
            reading(name);
            return fields.TryGetValue(name, out var f) ? f : throw new CorruptParquetException(_path, name, "is missing (the objectives of the run changed?)");
        }
        for (int g = 0; g < Math.Min(rowGroups, reader.RowGroupCount); g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int n = checked((int)group.RowCount);
            async Task<T[]> Values<T>(string name) where T : struct
            {
                var values = new T[n];
                await group.ReadAsync<T>(F(name), values.AsMemory());
                return values;
            }
            async Task<string[]> Strings(string name)
            {
                var values = new string?[n];
                await group.ReadAsync(F(name), values.AsMemory());
                return values.Select(v => v ?? "").ToArray();
            }
            var generation = await Values<int>("generation");
            var index = await Values<int>("index");
            var genome = await Strings("genome");
            var hash = await Strings("recipe_hash");
            var status = await Strings("status");
            var reason = await Strings("reason");
            var cached = await Values<bool>("cached");
            var objectives = new double[_objectives.Count][];
            for (int o = 0; o < objectives.Length; o++) objectives[o] = await Values<double>("objective." + _objectives[o]);
            var constraints = new double[_constraints][];
            for (int c = 0; c < constraints.Length; c++) constraints[c] = await Values<double>($"constraint.{c}");
            var violation = await Values<double>("constraint_violation");
            var evaluated = await Values<int>("items_evaluated");
            var saved = await Values<int>("items_saved");
            var materialize = await Values<double>("materialize_seconds");
            var score = await Values<double>("score_seconds");
            var items = await Strings("item_scores");
            var rows = new List<EvaluationRecord>(n);
            for (int i = 0; i < n; i++)
            {
                rows.Add(new EvaluationRecord
                {
                    Generation = generation[i],
                    Index = index[i],
                    Genome = genome[i],
                    RecipeHash = hash[i],
                    Status = Enum.TryParse<EvaluationStatus>(status[i], ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed
                        : throw new CorruptParquetException(_path, "status", $"row {i} of row group {g} is not a known status"),
                    Reason = reason[i],
                    Cached = cached[i],
                    Objectives = objectives.Select(o => o[i]).ToArray(),
                    Constraints = constraints.Select(c => c[i]).ToArray(),
                    ConstraintViolation = violation[i],
                    ItemsEvaluated = evaluated[i],
                    ItemsSaved = saved[i],
                    MaterializeSeconds = materialize[i],
                    ScoreSeconds = score[i],
                    ItemScores = items[i],
                });
            }
            result.Add(rows);
        }
    }

    private async Task WriteRowGroup(Stream stream, IReadOnlyList<EvaluationRecord> rows, bool append)
    {
        await using var writer = await ParquetWriter.CreateAsync(_schema, stream, append: append);
        using var group = writer.CreateRowGroup();
        var fields = _schema.GetDataFields();
        int f = 0;
        async Task Column<T>(Func<EvaluationRecord, T> value) where T : struct =>
            await group.WriteAsync<T>(fields[f++], rows.Select(value).ToArray().AsMemory());
        async Task Text(Func<EvaluationRecord, string> value) =>
            await group.WriteAsync(fields[f++], rows.Select(value).ToArray());
        await Column(r => r.Generation);
        await Column(r => r.Index);
        await Text(r => r.Genome);
        await Text(r => r.RecipeHash);
        await Text(r => r.Status.ToString().ToLowerInvariant());
        await Text(r => r.Reason);
        await Column(r => r.Cached);
        for (int o = 0; o < _objectives.Count; o++)
        {
            int at = o;
            await Column(r => r.Objectives[at]);
        }
        for (int c = 0; c < _constraints; c++)
        {
            int at = c;
            await Column(r => r.Constraints[at]);
        }
        await Column(r => r.ConstraintViolation);
        await Column(r => r.ItemsEvaluated);
        await Column(r => r.ItemsSaved);
        await Column(r => r.MaterializeSeconds);
        await Column(r => r.ScoreSeconds);
        await Text(r => r.ItemScores);
        group.CompleteValidate();
    }

    private static readonly JsonSerializerOptions Compact = new(SearchCheckpoint.Json) { WriteIndented = false };

    /// <summary>Per-item results as stored in the item_scores column.</summary>
    public static string SerializeItemScores(ItemScores scores) =>
        scores.Count == 0 ? "" : JsonSerializer.Serialize<IReadOnlyDictionary<string, IReadOnlyDictionary<string, double[]>>>(scores, Compact);

    /// <summary>The inverse of <see cref="SerializeItemScores"/>.</summary>
    public static ItemScores DeserializeItemScores(string json) =>
        json.Length == 0
            ? ItemScores.Empty
            : ItemScores.From(JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, double[]>>>(json, SearchCheckpoint.Json)!);
}
