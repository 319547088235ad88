using System.Text.Json;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// mergekit-evolve configs through the built CLI: the bundled copy of mergekit's documented example
/// (<c>experiments/mergekit-evolve/evolve.yml</c>) searched end to end with a task map onto the bundled datasets and a
/// tiny <c>--max-fevals</c>, resumed as finished from the converted config its run directory keeps; unmapped tasks as
/// one error line; <c>convert</c> writing the config and refusing to overwrite.
/// </summary>
public class MergekitEvolveCliTests
{
    private static string Evolve => Path.Combine(CliRunner.RepositoryRoot, "experiments", "mergekit-evolve", "evolve.yml");

    private static string[] TaskMap()
    {
        string datasets = Path.Combine(CliRunner.RepositoryRoot, "datasets");
        return ["--task-map", $"addition={datasets}/addition/addition-answer.yml", "--task-map", $"reversal={datasets}/reversal/reversal-choice.yml",
            "--task-map", $"capitals={datasets}/capitals/capitals-answer.yml"];
    }

    [Fact]
    public void TheDocumentedExampleSearchesTheBundledModelsWithATaskMap()
    {
        using var temp = new TempDirectory();
        string run = temp.Combine("run");
        var search = CliRunner.Run(TimeSpan.FromMinutes(10),
            ["search", Evolve, "--run-dir", run, "--max-fevals", "4", "--progress", "none", "--metrics-url", "http://127.0.0.1:0", .. TaskMap()]);
        Assert.True(search.ExitCode == 0, search.Stderr);
        Assert.DoesNotContain("warning:", search.Stderr, StringComparison.Ordinal);
        // mergekit-evolve's population for this genome (2 layer groups x 3 models x 2 parameters = 12 reals) is
        // n = 2 layer groups × 3 models × 3 parameter sets (self_attn, mlp, the rest) × 2 (weight, density) = 36;
        // 4 + floor(3 ln 36) = 14: the one generation that reaches the budget of 4 scores all 14.
        Assert.Contains("1 generations, 14 candidates scored", search.Stdout, StringComparison.Ordinal);
        string saved = File.ReadAllText(Path.Combine(run, "config.yml"));
        Assert.Contains("methods: [dare_ties]", saved, StringComparison.Ordinal);
        Assert.Contains("settings: {initial_sigma: 0.16666666666666666, population_size: 14, restarts: false}", saved, StringComparison.Ordinal);
        Assert.Contains("budget: {evaluations: 4}", saved, StringComparison.Ordinal);
        using (var archive = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "archive.json"))))
            Assert.True(archive.RootElement.GetProperty("members").GetArrayLength() >= 1);

        var resume = CliRunner.Run(TimeSpan.FromMinutes(3), "resume", run, "--progress", "none", "--metrics-url", "http://127.0.0.1:0");
        Assert.True(resume.ExitCode == 0, resume.Stderr);
        Assert.Contains("already finished", resume.Stdout + resume.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void UnmappedTasksAreOneErrorLine()
    {
        using var temp = new TempDirectory();
        string datasets = Path.Combine(CliRunner.RepositoryRoot, "datasets");
        var result = CliRunner.Run(TimeSpan.FromMinutes(2), "search", Evolve, "--run-dir", temp.Combine("run"), "--task-map", $"reversal={datasets}/reversal/reversal-choice.yml");
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"evomerge: error: {Evolve}:23: tasks: no EvoMerge task file for addition, capitals (map each with --task-map NAME=FILE.yml, or put NAME.yml in --tasks-dir DIR)\n", result.Stderr);
        Assert.False(Directory.Exists(temp.Combine("run")));
    }

    [Fact]
    public void ConvertWritesTheSearchConfigOnceAndRefusesToOverwrite()
    {
        using var temp = new TempDirectory();
        string output = temp.Combine("search.yml");
        var convert = CliRunner.Run(TimeSpan.FromMinutes(2), ["convert", Evolve, output, "--max-fevals", "30", .. TaskMap()]);
        Assert.True(convert.ExitCode == 0, convert.Stderr);
        string text = File.ReadAllText(output);
        Assert.Contains("budget: {evaluations: 30}", text, StringComparison.Ordinal);
        Assert.Contains("layer_groups: 2", text, StringComparison.Ordinal);

        var budget = CliRunner.Run(TimeSpan.FromMinutes(2), "search", output, "--run-dir", temp.Combine("run"), "--max-fevals", "5");
        Assert.Equal(1, budget.ExitCode);
        Assert.StartsWith($"evomerge: error: {output}: --task-map, --tasks-dir and --max-fevals apply to mergekit-evolve configs", budget.Stderr, StringComparison.Ordinal);

        var again = CliRunner.Run(TimeSpan.FromMinutes(2), ["convert", Evolve, output, .. TaskMap()]);
        Assert.Equal(1, again.ExitCode);
        Assert.Equal($"evomerge: error: {output}: exists; remove it or name another file\n", again.Stderr);
        Assert.Equal(text, File.ReadAllText(output));
    }
}
