using System.Text.Json.Nodes;
using System.Text.Json;
using EvoMerge.Optimization.Pareto;
using EvoMerge.Search.Configuration;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Runs;

/// <summary>
/// The archive member a run reports as its result: the demo table's "best dev average" row and
/// <c>evomerge export --member best</c> both choose by it. Among the feasible members (every constraint met; all
/// members when none is; feasibility is the archive entry's own flag) the one with the highest dev average wins, the lowest index on ties. The dev average is the
/// one the demo table recorded in <see cref="FileName"/> for the same archive; without that record (a plain search,
/// or the archive changed since) it is the mean of the member's archived objective values, all maximised.
/// </summary>
public static class ReportedMemberRule
{
    /// <summary>Where the demo table records every member's dev average, in the run directory.</summary>
    public const string FileName = "reported-member.json";

    /// <summary>The index of the member the rule picks, given each member's dev average.</summary>
    public static int Select(IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> archive, IReadOnlyList<double> devAverages)
    {
        if (archive.Count == 0 || devAverages.Count != archive.Count)
            throw new ArgumentException($"{archive.Count} archive members and {devAverages.Count} dev averages: one per member is needed");
        var candidates = Enumerable.Range(0, archive.Count).Where(k => archive[k].IsFeasible).ToList();
        if (candidates.Count == 0) candidates = [.. Enumerable.Range(0, archive.Count)];
        int best = candidates[0];
        foreach (int k in candidates)
            if (devAverages[k] > devAverages[best]) best = k;
        return best;
    }

    /// <summary>
    /// Picks the member by <paramref name="devAverages"/> and records them (with the members' hashes and
    /// <paramref name="basis"/>, what they average) in the run directory's <see cref="FileName"/>; returns the index.
    /// </summary>
    public static int Record(SearchConfig config, IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> archive, IReadOnlyList<double> devAverages, string basis)
    {
        int best = Select(archive, devAverages);
        var members = new JsonArray();
        for (int k = 0; k < archive.Count; k++)
            members.Add(new JsonObject { ["member"] = k, ["hash"] = archive[k].Payload.Hash, ["dev_average"] = devAverages[k] });
        var json = new JsonObject { ["rule"] = "highest dev average among the feasible members, the lowest index of equals", ["basis"] = basis, ["best"] = best, ["members"] = members };
        AtomicFile.WriteAllText(Path.Combine(config.RunDirectory, FileName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return best;
    }

    /// <summary>
    /// The reported member of a run and the dev averages it was chosen by: the demo table's recorded ones when they
    /// are for this archive (same hashes in the same order), else the means of the archived objective values; null
    /// when neither applies (no record and a minimised objective, whose values cannot be averaged with the others).
    /// </summary>
    public static ReportedMember? Find(SearchConfig config, IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> archive)
    {
        if (archive.Count == 0) return null;
        if (Recorded(config, archive) is { } recorded)
            return new ReportedMember(Select(archive, recorded.Averages), recorded.Averages, recorded.Basis);
        if (config.Objectives.Any(o => !o.Maximize)) return null;
        double[] means = [.. archive.Select(e => e.Payload.Objectives.Average())];
        return new ReportedMember(Select(archive, means), means, "mean of the archived objective values");
    }

    /// <summary>Why <see cref="Find"/> has no member for this run, for <c>--member best</c>'s error.</summary>
    public static string Unavailable(SearchConfig config, IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> archive) => archive.Count == 0
        ? $"{config.RunDirectory}: the archive has no members"
        : $"{config.RunDirectory}: objective '{config.Objectives.First(o => !o.Maximize).Name}' is minimised, so the archived objectives have no mean to rank by and no demo table recorded dev averages ({FileName}); choose a member by index (evomerge export RUN_DIR --list)";

    private static (double[] Averages, string Basis)? Recorded(SearchConfig config, IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> archive)
    {
        string file = Path.Combine(config.RunDirectory, FileName);
        if (!File.Exists(file)) return null;
        JsonNode? json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(file));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{file}: not valid JSON ({e.Message.Split('\n')[0]})", e);
        }
        if (json?["members"] is not JsonArray members) throw new InvalidDataException($"{file}: members: missing or not an array");
        if (members.Count != archive.Count) return null;
        var averages = new double[archive.Count];
        for (int k = 0; k < archive.Count; k++)
        {
            if (members[k]?["hash"] is not JsonValue hash || !hash.TryGetValue(out string? text)) throw new InvalidDataException($"{file}: members[{k}].hash: missing or not a string");
            if (members[k]?["dev_average"] is not JsonValue value || !value.TryGetValue(out averages[k])) throw new InvalidDataException($"{file}: members[{k}].dev_average: missing or not a number");
            if (text != archive[k].Payload.Hash) return null;
        }
        string basis = json["basis"] is JsonValue b && b.TryGetValue(out string? recorded) ? recorded : "recorded";
        return (averages, $"the demo table's dev average ({basis})");
    }
}
