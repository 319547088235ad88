using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>On a terminal (a real pseudo-terminal from util-linux <c>script</c>) the search shows the Spectre.Console live display instead of log lines.</summary>
public class TerminalProgressTests
{
    [Fact]
    public async Task ATerminalGetsTheLiveDisplay()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 8);
        string config = Path.Combine(layout.Root, "search.yml");
        File.WriteAllText(config, $"""
            base_model: models/base
            models: [models/a, models/b]
            {layout.ObjectivesYaml()}
            genome:
              methods: [task_arithmetic]
              layer_groups: 1
            optimizer:
              name: nsga2
              settings:
                population_size: 4
            budget:
              generations: 2
            seed: 2
            run_dir: runs/t
            """);
        var run = await PseudoTerminal.Run(TimeSpan.FromSeconds(90), "search", config, "--metrics-url", "http://127.0.0.1:0");
        string output = run.Stdout;
        Assert.True(run.ExitCode == 0, output + run.Stderr);
        Assert.True(output.Contains("generations 2/2", StringComparison.Ordinal), output);
        Assert.True(output.Contains("generation 1 done", StringComparison.Ordinal), output); // numbered from 0 as in the logs: generations 0 and 1
        Assert.DoesNotContain("generation 2 done", output);
        Assert.Contains("━", output); // Spectre's progress bar
        Assert.Contains("finished: best a=", output);
        Assert.DoesNotContain("…", output); // nothing overflowed an 80×24 terminal
        Assert.DoesNotContain("candidate 0:", output); // per-candidate log lines are left to the display
        Assert.Contains("hypervolume", output);
    }
}
