using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge demo</c> through the built CLI at a tiny budget: the hosted search runs, the table is printed and
/// written. The config is the bundled demo config with absolute model and task paths and a population of 4 (one
/// generation of 4 candidates); that the bundled configs themselves open is ExperimentConfigTests' job.
/// </summary>
public class DemoCommandTests
{
    [Fact]
    public void TinyDemoPrintsTheTableAndWritesTheRunDirectory()
    {
        using var temp = new TempDirectory();
        string run = temp.Combine("run");
        string root = CliRunner.RepositoryRoot.TrimEnd('/');
        string config = SmallDemoConfig.Write(temp);

        // ~65 s of CPU time (Release); the timeout allows for a shared, heavily loaded machine (3 min 51 s of wall time at load average 56).
        var result = CliRunner.Run(TimeSpan.FromMinutes(15), "demo", "--config", config, "--seed", "5", "--budget", "1", "--limit", "3",
            "--run-dir", run, "--datasets", Path.Combine(root, "datasets"), "--progress", "log");

        Assert.True(result.ExitCode == 0, result.Stderr);
        var url = Regex.Match(result.Stdout, @"metrics: (http://127\.0\.0\.1:(\d+))/metrics");
        Assert.True(url.Success, result.Stdout);
        Assert.NotEqual("0", url.Groups[2].Value);
        Assert.Contains($"metrics on {url.Groups[1].Value}/metrics", result.Stderr);
        Assert.Matches(@"\| model \| chosen by \| dev average \| addition choice \|", result.Stdout);
        foreach (string row in new[] { "| base |", "| addition |", "| reversal |", "| capitals |", "| task_arithmetic w=", "| ties d=", "| greedy soup {", "| evolved #", "| routed r=", "| multitask |" })
            Assert.Contains(row, result.Stdout);

        Assert.True(File.Exists(Path.Combine(run, "checkpoint.json")));
        byte[] evaluationsLogged = File.ReadAllBytes(Path.Combine(run, "evaluations.parquet"));
        Assert.Contains("| evolved #", File.ReadAllText(Path.Combine(run, "demo-table.md")));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "demo-table.json")))!;
        Assert.Equal("5", (string?)json["facts"]!["seed"]);
        Assert.Equal("3", (string?)json["facts"]!["limit"]);
        // The evaluation budget stopped the search: the run says so and the table carries no warning.
        Assert.Equal("evaluations", (string?)json["facts"]!["stopped_by"]);
        Assert.Null(json["facts"]!["warning"]);
        Assert.DoesNotContain("WARNING", result.Stdout, StringComparison.Ordinal);
        var rows = json["rows"]!.AsArray();
        int evolved = rows.Count(r => (string?)r!["kind"] == "evolved");
        Assert.InRange(evolved, 1, 4);
        Assert.Equal(9 + evolved, rows.Count); // base, three sources, two baselines, the greedy soup, the evolved members, routed, multitask
        var routed = rows.Single(r => (string?)r!["kind"] == "routed")!;
        Assert.StartsWith("best of 9 on dev (rank × router) over evolved #", (string?)routed["chosen_by"]);
        Assert.Equal("multitask", (string?)rows[^1]!["model"]);
        var soup = rows.Single(r => (string?)r!["kind"] == "greedy soup")!;
        Assert.StartsWith("greedy soup on dev (kept ", (string?)soup["chosen_by"]);
        // The soup starts as the source with the best dev average and only keeps what does not lower it.
        Assert.True((double)soup["dev_average"]! >= rows.Where(r => (string?)r!["kind"] == "source").Max(r => (double)r!["dev_average"]!));
        foreach (var row in rows)
        {
            double average = (double)row!["average"]!;
            Assert.InRange(average, 0.0, 1.0);
            Assert.Equal(6, row["test"]!.AsObject().Count);
        }

        // The table's reported member is the one export --member best picks: the rule recorded every member's dev average
        // (no constraints here, so the highest one, the first on ties); the demo's last line says how to export it.
        var recorded = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "reported-member.json")))!["members"]!.AsArray().Select(m => (double)m!["dev_average"]!).ToList();
        var reportedRow = rows.Single(r => ((string?)r!["chosen_by"])!.StartsWith("best dev average", StringComparison.Ordinal))!;
        Assert.Equal($"evolved #{recorded.IndexOf(recorded.Max())}", (string?)reportedRow["model"]);
        Assert.Equal(recorded.Max(), (double)reportedRow["dev_average"]!);
        Assert.Contains($"export the reported member: evomerge export {run} --member best --out DIR", result.Stdout);
        Assert.Contains("seed: 5", File.ReadAllText(Path.Combine(run, "config.yml")));

        // Every row is compared document by document with the source of best dev average.
        string reference = (string)json["reference"]!;
        var sources = rows.Where(r => (string?)r!["kind"] == "source").ToList();
        Assert.Equal(reference, (string?)sources.MaxBy(r => (double)r!["dev_average"]!)!["model"]);
        double referenceAverage = (double)rows.Single(r => (string?)r!["model"] == reference)!["average"]!;
        Assert.Contains($"| vs {reference} (paired) |", result.Stdout);
        foreach (var row in rows)
        {
            var versus = row!["versus_reference"]!;
            Assert.Equal((double)row["average"]! - referenceAverage, (double)versus["difference"]!, 9);
            Assert.InRange((double)versus["paired_stderr"]!, 0.0, 1.0);
        }

        // --table-only refuses search options (they could not apply) and a run stopped before its budget.
        var seeded = CliRunner.Run("demo", "--table-only", "--run-dir", run, "--seed", "3", "--budget", "9");
        Assert.Equal(1, seeded.ExitCode);
        Assert.Contains("--table-only scores the finished run in --run-dir as it was searched: --seed, --budget cannot apply",
            Assert.Single(seeded.Stderr.Trim().Split('\n')));
        string unfinished = temp.Combine("unfinished");
        Directory.CreateDirectory(unfinished);
        foreach (string name in new[] { "run.json", "config.yml", "checkpoint.json" })
            File.Copy(Path.Combine(run, name), Path.Combine(unfinished, name));
        string saved = File.ReadAllText(Path.Combine(unfinished, "config.yml"));
        Assert.Contains("evaluations: 1,", saved);
        File.WriteAllText(Path.Combine(unfinished, "config.yml"), saved.Replace("evaluations: 1,", "evaluations: 100,", StringComparison.Ordinal));
        var early = CliRunner.Run("demo", "--table-only", "--run-dir", unfinished);
        Assert.Equal(1, early.ExitCode);
        Assert.Contains($"--run-dir {unfinished}: the search stopped before its budget (1 generations complete, ", Assert.Single(early.Stderr.Trim().Split('\n')));
        Assert.False(File.Exists(Path.Combine(unfinished, "demo-table.md")));

        // --table-only scores the finished run again without searching: the same rows, values and choices.
        string first = json["rows"]!.ToJsonString();
        File.Delete(Path.Combine(run, "demo-table.json"));
        var again = CliRunner.Run(TimeSpan.FromMinutes(15), "demo", "--table-only", "--run-dir", run, "--limit", "3",
            "--datasets", Path.Combine(root, "datasets"), "--progress", "log");
        Assert.True(again.ExitCode == 0, again.Stderr);
        Assert.Contains("search time not measured here (--table-only)", again.Stdout);
        Assert.Equal(first, JsonNode.Parse(File.ReadAllText(Path.Combine(run, "demo-table.json")))!["rows"]!.ToJsonString());
        Assert.Equal(evaluationsLogged, File.ReadAllBytes(Path.Combine(run, "evaluations.parquet")));
    }
}
