using System.Diagnostics;
using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>On a terminal (a real pseudo-terminal from util-linux <c>script</c>) the search shows the Spectre.Console live display instead of log lines.</summary>
public class TerminalProgressTests
{
    [Fact]
    public async Task ATerminalGetsTheLiveDisplay()
    {
        Assert.True(File.Exists("/usr/bin/script"), "util-linux script is needed to give the child a terminal");
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
        string command = $"stty rows 24 cols 80; dotnet '{CliRunner.CliPath}' search '{config}' --metrics-url http://127.0.0.1:0";
        var info = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string a in new[] { "-qefc", command, "/dev/null" }) info.ArgumentList.Add(a);
        info.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(90)), "the search under a terminal did not finish");
        string output = await stdout;
        Assert.True(process.ExitCode == 0, output + await stderr);
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
