using System.Text.RegularExpressions;
using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge search --run-dir</c> stands in for a config without <c>run_dir</c> (without either: one line naming the
/// file and the field), and an infeasible candidate's log line names the constraint it failed, its score and its minimum.
/// </summary>
public class SearchRunDirOptionTests
{
    [Fact]
    public void RunDirOptionSufficesAndInfeasibleCandidatesSayWhichConstraintFailed()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 8);
        string config = Path.Combine(layout.Root, "search.yml");
        // An accuracy is at most 1: a minimum of 2 fails every candidate.
        File.WriteAllText(config, layout.SearchYaml(population: 4)
            + "constraints:\n  - {task: tasks/b.yml, metric: acc, minimum: 2}\nbudget:\n  generations: 1\nseed: 3\n");

        var refused = CliRunner.Run("search", config);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"evomerge: error: {config}:1: run_dir: not set: give the run directory as run_dir in the config or with --run-dir (or EVOMERGE_RUN_DIR)",
            Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        string run = Path.Combine(temp.Path, "chosen-run");
        var search = CliRunner.Run("search", config, "--run-dir", run, "--metrics-url", "http://127.0.0.1:0", "--progress", "none");
        Assert.True(search.ExitCode == 0, search.Stderr);
        Assert.True(File.Exists(Path.Combine(run, "checkpoint.json")), "the run is in --run-dir");
        var candidates = search.Stderr.Split('\n').Where(l => Regex.IsMatch(l, @"generation \d+ candidate \d+:")).ToList();
        Assert.Equal(4, candidates.Count);
        Assert.All(candidates, l => Assert.Matches(new Regex(@" infeasible .*\(constraint b\.acc = [0-9.]+(E-?[0-9]+)? < minimum 2 \(constraints\[0\]\)\)$"), l));
    }
}
