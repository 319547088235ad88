using System.Text.Json.Nodes;
using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge search</c>, then <c>evomerge export</c> of archive members, then <c>evomerge eval</c> (each a child
/// process) on the exported directories with the run's task files: the scores eval reports are the archived ones,
/// exactly (same doubles), for accuracies and for bits per byte alike.
/// </summary>
public class ExportedMemberEvalTests
{
    [Fact]
    public void ExportedMembersRescoreToTheirArchivedScoresWithEvomergeEval()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path);
        string tasks = Path.Combine(temp.Path, "tasks");
        foreach (string file in new[] { "sentences.yml", "sentences.parquet" })
            File.Copy(Path.Combine(CliRunner.RepositoryRoot, "datasets", "examples", file), Path.Combine(tasks, file));
        string config = Path.Combine(temp.Path, "search.yml");
        File.WriteAllText(config, $"""
            base_model: models/base
            models: [models/a, models/b]
            {layout.ObjectivesYaml()}  - name: text
                task: tasks/sentences.yml
                metric: bits_per_byte
            genome:
              methods: [ties, task_arithmetic]
              layer_groups: 2
              ranges:
                weight: [0, 2]
            optimizer:
              name: nsga2
              settings:
                population_size: 6
            budget:
              generations: 2
            seed: 9
            run_dir: runs/eval
            """);
        string run = Path.Combine(temp.Path, "runs", "eval");
        var search = CliRunner.Run(TimeSpan.FromMinutes(3), "search", config, "--progress", "none", "--metrics-url", "http://127.0.0.1:0");
        Assert.True(search.ExitCode == 0, search.Stderr);

        var members = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "archive.json")))!["members"]!.AsArray();
        Assert.NotEmpty(members);
        var chosen = new[] { 0, members.Count - 1 }.Distinct();
        var metrics = new (string Objective, string Task, string Metric)[] { ("a", "a", "acc"), ("b", "b", "acc"), ("text", "sentences", "bits_per_byte") };
        foreach (int k in chosen)
        {
            string output = Path.Combine(temp.Path, $"member-{k}");
            var export = CliRunner.Run(TimeSpan.FromMinutes(2), "export", run, "--member", k.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", output);
            Assert.True(export.ExitCode == 0, export.Stdout + export.Stderr);

            string results = Path.Combine(temp.Path, $"member-{k}.json");
            var eval = CliRunner.Run(TimeSpan.FromMinutes(2), "eval", output, "--task", layout.TaskA, "--task", layout.TaskB,
                "--task", Path.Combine(tasks, "sentences.yml"), "--output", results);
            Assert.True(eval.ExitCode == 0, eval.Stdout + eval.Stderr);
            var scored = JsonNode.Parse(File.ReadAllText(results))!["tasks"]!.AsArray();
            foreach (var (objective, task, metric) in metrics)
            {
                double archived = (double)members[k]!["objectives"]![objective]!;
                double rescored = (double)scored.Single(t => (string)t!["name"]! == task)!["metrics"]![metric]!["value"]!;
                Assert.True(archived == rescored, $"member {k} {objective}: archived {archived:R}, evomerge eval {rescored:R}");
            }
        }
    }
}
