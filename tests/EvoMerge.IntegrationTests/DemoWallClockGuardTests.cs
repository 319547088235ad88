using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge demo</c> whose wall-clock guard, not its evaluation budget, stops the search: the table still comes out,
/// and its header (console, <c>demo-table.md</c>) and facts (<c>demo-table.json</c>) say loudly that it depends on the
/// machine's speed. (That a budget-stopped demo says nothing of the kind is checked in <see cref="DemoCommandTests"/>.)
/// </summary>
public class DemoWallClockGuardTests
{
    [Fact]
    public void AGuardThatStopsTheSearchIsAWarningInTheTableHeader()
    {
        using var temp = new TempDirectory();
        string run = temp.Combine("run");
        string root = CliRunner.RepositoryRoot.TrimEnd('/');
        string config = SmallDemoConfig.Write(temp);

        // The guard is one minute from opening the run: enough to start even on a heavily loaded machine (the guard
        // counts from the run's opening, so one shorter than the start-up would stop it before any generation), while
        // 1000 evaluations take far longer (four candidates a generation, each merged and scored on 460 dev items), so
        // the guard stops it. The timeout allows for the front plot's reference models and the table on a loaded
        // machine (15 minutes did not suffice at load average 43 on two cores).
        var result = CliRunner.Run(TimeSpan.FromMinutes(30), "demo", "--config", config, "--seed", "5", "--budget", "1000", "--minutes", "1",
            "--limit", "2", "--run-dir", run, "--datasets", Path.Combine(root, "datasets"), "--progress", "log");

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.True(File.Exists(Path.Combine(run, "demo-table.json")), result.Stdout + result.Stderr);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "demo-table.json")))!;
        var facts = json["facts"]!;
        Assert.Equal("wall_clock", (string?)facts["stopped_by"]);
        Assert.InRange(int.Parse((string)facts["generations"]!, CultureInfo.InvariantCulture), 1, 249);
        string evaluations = (string)facts["evaluations"]!;
        Assert.InRange(int.Parse(evaluations, CultureInfo.InvariantCulture), 1, 999);
        string warning = $"WARNING: stopped by the wall-clock guard (60 s) after {evaluations} of 1000 evaluations; "
            + "this table depends on machine speed and is not the reproducible demo result.";
        Assert.Equal(warning, (string?)facts["warning"]);
        string markdown = File.ReadAllText(Path.Combine(run, "demo-table.md"));
        Assert.StartsWith($"**{warning}**\n\n", markdown, StringComparison.Ordinal);
        Assert.Contains($"**{warning}**", result.Stdout);
        Assert.Matches(@"\| evolved #\d+ \|", markdown);
        Assert.Matches(Regex.Escape("wall_clock_seconds: 60"), File.ReadAllText(Path.Combine(run, "config.yml")));
    }
}
