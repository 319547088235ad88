using System.Text.Json;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Sweeps;

namespace EvoMerge.Host;

/// <summary>
/// The status of a run from its files (config.yml, run.json, checkpoint.json or a sweep's sweep.json), whether or not a process runs it:
/// alive when another process holds its lock. Loads no models.
/// </summary>
public static class RunStatusReader
{
    /// <summary>
    /// The status of the search or sweep in <paramref name="runDirectory"/> as the JSON its <c>/status</c> serves
    /// (<see cref="RunStatus"/> or <see cref="SweepStatus"/>; a sweep: state running, finished once its table is
    /// written, else not running).
    /// </summary>
    public static string ReadJson(string runDirectory)
    {
        if (SweepRun.ReadProgress(runDirectory) is not { } sweep) return JsonSerializer.Serialize(Read(runDirectory), RunStatus.Json);
        var files = new RunFiles(Path.GetFullPath(runDirectory));
        bool alive = IsLocked(files.Directory);
        string state = alive ? "running" : sweep.Total > 0 && sweep.Done == sweep.Total ? "finished" : "not running";
        var status = SweepStatus.Create(RunIdentity.Of(files.Directory, File.ReadAllText(files.Config)), state, sweep, 0, alive);
        return JsonSerializer.Serialize(status, RunStatus.Json);
    }

    /// <summary>Reads the status of the search in <paramref name="runDirectory"/>.</summary>
    public static RunStatus Read(string runDirectory)
    {
        var files = new RunFiles(Path.GetFullPath(runDirectory));
        if (!File.Exists(files.Run) || !File.Exists(files.Config))
            throw new FileNotFoundException($"{runDirectory}: not a run directory (no run.json / config.yml)", files.Run);
        var info = JsonSerializer.Deserialize<RunInfo>(File.ReadAllText(files.Run), SearchCheckpoint.Json)
            ?? throw new InvalidDataException($"{files.Run}: empty");
        string text = File.ReadAllText(files.Config);
        var config = SearchConfigReader.Parse(text, info.ConfigFile, info.ConfigDirectory, runDirectory: files.Directory);
        SearchCheckpoint? checkpoint = null;
        if (File.Exists(files.Checkpoint))
        {
            try
            {
                checkpoint = JsonSerializer.Deserialize<SearchCheckpoint>(File.ReadAllText(files.Checkpoint), SearchCheckpoint.Json);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{files.Checkpoint}: not a valid checkpoint ({e.Message})");
            }
        }
        bool alive = IsLocked(files.Directory);
        bool finished = checkpoint is not null
            && config.Budget.LimitReached(checkpoint.Generation, checkpoint.EvaluationsScored, checkpoint.ElapsedSeconds) != BudgetLimit.None;
        string state = alive ? "running" : finished ? "finished" : "not running";
        return RunStatus.Create(RunIdentity.Of(files.Directory, text), config, state, alive, checkpoint?.Generation ?? 0, checkpoint?.EvaluationsScored ?? 0,
            checkpoint?.ElapsedSeconds ?? 0, checkpoint?.Archive ?? [], (checkpoint is { Statistics.Count: > 0 } c ? c.Statistics[^1].Hypervolume : 0),
            checkpoint?.Statistics);
    }

    /// <summary>True when a process holds the run's lock (checked with a shared lock, released at once).</summary>
    private static bool IsLocked(string runDirectory)
    {
        string path = Path.Combine(runDirectory, RunLock.FileName);
        if (!File.Exists(path)) return false;
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
