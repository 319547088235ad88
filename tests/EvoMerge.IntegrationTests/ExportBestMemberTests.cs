using System.Globalization;
using System.Text.Json.Nodes;
using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge export --list</c> and <c>--member best</c> through the built CLI after a real search: the listing
/// shows every member of archive.json with its values, best is the member with the highest mean of the archived
/// objectives (worked out here from archive.json; no constraints, so all are feasible), a dev-average record of the
/// demo table (reported-member.json) for this archive decides instead, and the model card names no path of this
/// machine.
/// </summary>
public sealed class ExportBestMemberTests
{
    [Fact]
    public void ListShowsTheArchiveAndBestFollowsTheReportedMemberRule()
    {
        using var temp = new TempDirectory();
        string w = temp.Path;
        var layout = TinySpecialists.Write(w);
        string config = Path.Combine(w, "search.yml");
        File.WriteAllText(config, layout.SearchYaml(population: 6) + "budget:\n  generations: 2\nseed: 3\nrun_dir: runs/best\n");
        var search = CliRunner.Run(TimeSpan.FromMinutes(4), "search", config, "--progress", "none", "--metrics-url", "http://127.0.0.1:0");
        Assert.True(search.ExitCode == 0, search.Stdout + search.Stderr);
        string run = Path.Combine(w, "runs", "best");
        var members = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "archive.json")))!["members"]!.AsArray();
        Assert.True(members.Count >= 2, $"{members.Count} archive member(s)");
        double[] means = [.. members.Select(m => ((double)m!["objectives"]!["a"]! + (double)m["objectives"]!["b"]!) / 2)];
        int expected = 0;
        for (int k = 1; k < means.Length; k++)
            if (means[k] > means[expected]) expected = k;

        var list = CliRunner.Run("export", run, "--list");
        Assert.True(list.ExitCode == 0, list.Stderr);
        string[] lines = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(members.Count + 2, lines.Length);
        Assert.Equal(["member", "hash", "a", "b", "dev", "average", "feasible", "generation"], Cells(lines[0]));
        for (int k = 0; k < members.Count; k++)
        {
            var m = members[k]!;
            string[] row = [k.ToString(CultureInfo.InvariantCulture), ((string)m["hash"]!)[..12], m["objectives"]!["a"]!.ToJsonString(),
                m["objectives"]!["b"]!.ToJsonString(), means[k].ToString("R", CultureInfo.InvariantCulture), "yes", m["generation"]!.ToJsonString(), .. k == expected ? ["best"] : Array.Empty<string>()];
            Assert.Equal(row, Cells(lines[k + 1]));
        }
        Assert.StartsWith($"best: member {expected}, the highest dev average among the feasible members; dev average: mean of the archived objective values", lines[^1], StringComparison.Ordinal);

        string output = Path.Combine(w, "exports", "best");
        var export = CliRunner.Run(TimeSpan.FromMinutes(2), "export", run, "--member", "best", "--out", output);
        Assert.True(export.ExitCode == 0, export.Stderr);
        Assert.StartsWith($"exported member {expected} ({((string)members[expected]!["hash"]!)[..12]}; best: highest dev average ", export.Stdout, StringComparison.Ordinal);
        string card = File.ReadAllText(Path.Combine(output, "README.md"));
        Assert.Contains($"(archive member {expected})", card);
        Assert.Contains("- base: `base`\n- source: `a`\n- source: `b`\n", card);
        foreach (string machinePath in new[] { w, run, "/tmp", Path.GetTempPath().TrimEnd('/'), Environment.CurrentDirectory })
            Assert.DoesNotContain(machinePath, card);
        Assert.Contains($"'{layout.SpecialistA}'", File.ReadAllText(Path.Combine(output, "merge.yml"))); // the recipe reruns where the models are

        // The demo table's record of its dev averages for this archive decides: a hand-written one favouring another member.
        int favoured = expected == 0 ? 1 : 0;
        var record = new JsonArray([.. members.Select((m, k) => new JsonObject { ["member"] = k, ["hash"] = (string)m!["hash"]!, ["dev_average"] = k == favoured ? 0.9 : 0.1 })]);
        File.WriteAllText(Path.Combine(run, "reported-member.json"), new JsonObject { ["basis"] = "hand-written", ["members"] = record }.ToJsonString());
        var relisted = CliRunner.Run("export", run, "--list");
        Assert.True(relisted.ExitCode == 0, relisted.Stderr);
        string[] again = relisted.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("best", Cells(again[favoured + 1])[^1]);
        Assert.Equal($"best: member {favoured}, the highest dev average among the feasible members; dev average: the demo table's dev average (hand-written)", again[^1]);
        var demoBest = CliRunner.Run(TimeSpan.FromMinutes(2), "export", run, "--member", "best", "--out", Path.Combine(w, "exports", "demo-best"));
        Assert.True(demoBest.ExitCode == 0, demoBest.Stderr);
        Assert.StartsWith($"exported member {favoured} (", demoBest.Stdout, StringComparison.Ordinal);

        var bad = CliRunner.Run("export", run, "--member", "first", "--out", Path.Combine(w, "exports", "x"));
        Assert.Equal(1, bad.ExitCode);
        Assert.Equal("evomerge: error: --member first: not an archive index or best", bad.Stderr.Trim());
    }

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
