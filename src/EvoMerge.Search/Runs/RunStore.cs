using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Evaluation;
using EvoMerge.Optimization.Pareto;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Scoring;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Runs;

/// <summary>
/// A run directory's persistence, in one place. When a search starts: <c>config.yml</c> (the config text as given) and
/// <c>run.json</c> (<see cref="RunInfo"/>). After every generation: its rows appended to <c>evaluations.parquet</c>
/// (the journal, one row group per generation), then <c>checkpoint.json</c>, <c>archive.json</c>,
/// <c>population.json</c> and <c>statistics.json</c>, each written atomically (temporary file, fsync, rename), so a
/// crash leaves every file whole and at worst a stray temporary file, which is never read. A full file system is a
/// <see cref="RunStorageFullException"/> naming the file (whole files go through a replaceable <see cref="RunFileWriter"/>). On resume: the last complete
/// checkpoint, with journal rows logged after it dropped, and the fitness cache rebuilt from the rows it covers.
/// </summary>
public sealed class RunStore
{
    private readonly EvaluationLog _journal;
    private readonly RunFileWriter _writer;

    /// <param name="directory">The run directory.</param>
    /// <param name="objectives">Objective names, in config order (the journal's objective columns).</param>
    /// <param name="constraints">Number of constraints (the journal's constraint columns).</param>
    /// <param name="writer">How whole files are written (default: <see cref="RunFileWriter.Atomic"/>).</param>
    public RunStore(string directory, IReadOnlyList<string> objectives, int constraints, RunFileWriter? writer = null)
    {
        Files = new RunFiles(directory);
        _journal = new EvaluationLog(Files.Evaluations, objectives, constraints);
        _writer = writer ?? RunFileWriter.Atomic;
    }

    /// <summary>The store of <paramref name="config"/>'s run directory, with its objectives and constraints.</summary>
    public RunStore(SearchConfig config, RunFileWriter? writer = null)
        : this(config.RunDirectory, config.Objectives.Select(o => o.Name).ToArray(), config.Constraints.Count, writer)
    {
    }

    /// <summary>The files of the run directory.</summary>
    public RunFiles Files { get; }

    /// <summary>Row groups (generations) of the journal that belong to the run: those of the loaded checkpoint plus those appended since.</summary>
    public int JournalRowGroups { get; private set; }

    /// <summary>SHA-256 of the journal after the last generation appended (recorded in its checkpoint); null before one.</summary>
    public string? JournalSha256 { get; private set; }

    /// <summary>True when <paramref name="directory"/> already holds a search (a <c>run.json</c> or a checkpoint).</summary>
    public static bool HoldsSearch(string directory)
    {
        var files = new RunFiles(directory);
        return File.Exists(files.Checkpoint) || File.Exists(files.Run);
    }

    /// <summary>The <c>run.json</c> of a run directory.</summary>
    public static RunInfo ReadInfo(RunFiles files)
    {
        try
        {
            return JsonSerializer.Deserialize<RunInfo>(File.ReadAllText(files.Run), SearchCheckpoint.Json)
                ?? throw new InvalidDataException($"{files.Run}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{files.Run}: not a run.json written by evomerge ({(e.Path is { Length: > 0 } path ? $"at {path}: " : "")}{e.GetType().Name})", e);
        }
    }

    /// <summary>Records a new search: the config text as given and where it came from, with the derived seeds and the inputs' fingerprints.</summary>
    public void Begin(string configText, RunInfo info)
    {
        Write(Files.Config, configText);
        Write(Files.Run, JsonSerializer.Serialize(info, SearchCheckpoint.Json) + "\n");
    }

    /// <summary>Writes the <c>run.json</c> of a run directory (atomically).</summary>
    public static void WriteInfo(RunFiles files, RunInfo info) =>
        AtomicFile.WriteAllText(files.Run, JsonSerializer.Serialize(info, SearchCheckpoint.Json) + "\n");

    /// <summary>
    /// The last complete checkpoint, or null when no generation completed (the journal is then deleted). Journal row
    /// groups written after the checkpoint (a crash between the journal and the checkpoint) are dropped.
    /// </summary>
    public SearchCheckpoint? LoadCheckpoint()
    {
        if (!File.Exists(Files.Checkpoint))
        {
            AtomicFile.TryDelete(Files.Evaluations);
            JournalRowGroups = 0;
            return null;
        }
        SearchCheckpoint checkpoint;
        try
        {
            checkpoint = JsonSerializer.Deserialize<SearchCheckpoint>(File.ReadAllText(Files.Checkpoint), SearchCheckpoint.Json)
                ?? throw new InvalidDataException($"{Files.Checkpoint}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{Files.Checkpoint}: not a valid checkpoint ({e.Message})");
        }
        int rowGroups = _journal.RowGroupCount();
        if (rowGroups < checkpoint.EvaluationRowGroups)
            throw new CorruptParquetException(Files.Evaluations, null,
                $"has {rowGroups} row group(s) but its checkpoint {Files.Checkpoint} covers {checkpoint.EvaluationRowGroups} generations (generations are missing: the file was replaced or cut)");
        if (rowGroups == checkpoint.EvaluationRowGroups && checkpoint.EvaluationsSha256 is { } recorded
            && RunInputs.Compute(RunInputs.Journal, Files.Evaluations) is { } found && found != recorded)
            throw new CorruptParquetException(Files.Evaluations, null,
                $"is not the journal its checkpoint {Files.Checkpoint} recorded (sha256 {recorded[..12]}… recorded, {found[..12]}… found): it was corrupted or changed after generation {checkpoint.Generation - 1} was written");
        if (rowGroups > checkpoint.EvaluationRowGroups) _journal.Truncate(checkpoint.EvaluationRowGroups);
        JournalRowGroups = checkpoint.EvaluationRowGroups;
        return checkpoint;
    }

    /// <summary>
    /// The fitness cache held by the run's journal row groups (<see cref="JournalRowGroups"/>): every recipe scored,
    /// by hash, in first-evaluation order; cache hits and invalid genomes are not entries.
    /// </summary>
    public Dictionary<string, CandidateEvaluation> LoadCache()
    {
        var cache = new Dictionary<string, CandidateEvaluation>(StringComparer.Ordinal);
        if (JournalRowGroups == 0) return cache;
        foreach (var row in _journal.Read(JournalRowGroups))
        {
            if (row.Cached || row.RecipeHash.Length == 0) continue;
            ItemScores items;
            try
            {
                items = EvaluationLog.DeserializeItemScores(row.ItemScores);
            }
            catch (Exception e) when (e is JsonException or ArgumentException)
            {
                throw new CorruptParquetException(Files.Evaluations, "item_scores", $"the row of generation {row.Generation} candidate {row.Index} is not valid item scores JSON");
            }
            cache[row.RecipeHash] = new CandidateEvaluation
            {
                Hash = row.RecipeHash,
                Status = row.Status,
                Reason = row.Reason.Length == 0 ? null : row.Reason,
                Objectives = row.Objectives,
                Constraints = row.Constraints,
                ConstraintViolation = row.ConstraintViolation,
                ItemScores = items,
                ItemsEvaluated = row.ItemsEvaluated,
                ItemsSaved = row.ItemsSaved,
                MaterializeSeconds = row.MaterializeSeconds,
                ScoreSeconds = row.ScoreSeconds,
            };
        }
        return cache;
    }

    /// <summary>Appends one generation's rows to the journal as a new row group (atomically).</summary>
    public void AppendGeneration(IReadOnlyList<EvaluationRecord> rows)
    {
        Guard(Files.Evaluations, () => _journal.AppendGeneration(rows));
        JournalRowGroups++;
        JournalSha256 = RunInputs.Compute(RunInputs.Journal, Files.Evaluations);
    }

    /// <summary>
    /// Writes <c>checkpoint.json</c>, then <paramref name="archiveJson"/> (see <see cref="ArchiveJson"/>) as
    /// <c>archive.json</c> and the checkpoint's population and statistics as <c>population.json</c> and
    /// <c>statistics.json</c>, each atomically.
    /// </summary>
    public void WriteCheckpoint(SearchCheckpoint checkpoint, string archiveJson)
    {
        Write(Files.Checkpoint, JsonSerializer.Serialize(checkpoint, SearchCheckpoint.Json) + "\n");
        Write(Files.Archive, archiveJson + "\n");
        Write(Files.Population, JsonSerializer.Serialize(checkpoint.Population, SearchCheckpoint.Json) + "\n");
        Write(Files.Statistics, JsonSerializer.Serialize(checkpoint.Statistics, SearchCheckpoint.Json) + "\n");
    }

    private void Write(string path, string text) => Guard(path, () => _writer.WriteAllText(path, text));

    /// <summary>Runs a write; a full file system becomes a <see cref="RunStorageFullException"/> naming <paramref name="path"/>.</summary>
    private static void Guard(string path, Action write)
    {
        try
        {
            write();
        }
        catch (IOException e) when (DiskFull.Is(e))
        {
            throw new RunStorageFullException(path, null, e);
        }
    }

    /// <summary>
    /// archive.json's text: the members in canonical order with named objective values, genome and recipe (no timings,
    /// so equal archives give equal files), after <paramref name="generation"/> completed generations.
    /// </summary>
    public static string ArchiveJson(SearchSetup setup, int generation, IEnumerable<ParetoArchiveEntry<ArchiveMember>> entries)
    {
        var objectives = setup.Config.Objectives;
        var members = new JsonArray();
        int k = 0;
        foreach (var entry in entries)
        {
            var member = entry.Payload;
            var values = new JsonObject();
            for (int j = 0; j < objectives.Count; j++) values[objectives[j].Name] = Number(member.Objectives[j]);
            var recipe = setup.Composer.Compose(setup.Layout.Decode(member.Genome));
            members.Add(new JsonObject
            {
                ["member"] = k++,
                ["hash"] = member.Hash,
                ["generation"] = member.Generation,
                ["objectives"] = values,
                ["constraints"] = new JsonArray([.. member.Constraints.Select(Number)]),
                ["constraint_violation"] = Number(entry.ConstraintViolation),
                ["genome"] = JsonSerializer.SerializeToNode(member.Genome, SearchCheckpoint.Json),
                ["recipe"] = recipe.ParameterSpace,
                ["layers_recipe"] = recipe.DataFlow,
            });
        }
        return new JsonObject { ["generation"] = generation, ["members"] = members }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));
}
