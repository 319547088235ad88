using System.Text.RegularExpressions;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary><c>evomerge eval</c> shows its progress: log lines on stderr when redirected, a progress bar on a terminal; stdout keeps only the table.</summary>
public class EvalProgressCliTests
{
    private static string Model(TempDirectory dir)
    {
        string model = dir.Combine("model");
        Directory.CreateDirectory(model);
        EvalCommandTests.WriteModel(model);
        return model;
    }

    [Fact]
    public void RedirectedOutputGetsALogLineOnStderrAtEachTasksEnd()
    {
        using var dir = new TempDirectory();
        var run = CliRunner.Run(TimeSpan.FromMinutes(3), "eval", Model(dir),
            "--task", EvalCommandTests.Example("arithmetic-answer.yml"), "--task", EvalCommandTests.Example("arithmetic-choice.yml"), "--limit", "5");
        Assert.True(run.ExitCode == 0, run.Stderr);

        var lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith("eval: ", StringComparison.Ordinal)).ToList();
        // Every 10 s of a task (none, or a few on a slow machine) and at its end: the last line of each task says 5/5 and ETA 0 s.
        Assert.All(lines, l => Assert.Matches(@"^eval: arithmetic-(answer|choice) [0-5]/5 documents, \d+ s elapsed(, ETA \d+ s)?$", l));
        Assert.Matches(@"^eval: arithmetic-answer 5/5 documents, \d+ s elapsed, ETA 0 s$", lines.Last(l => l.Contains("answer", StringComparison.Ordinal)));
        Assert.Matches(@"^eval: arithmetic-choice 5/5 documents, \d+ s elapsed, ETA 0 s$", lines[^1]);
        Assert.True(lines.FindLastIndex(l => l.Contains("answer", StringComparison.Ordinal)) < lines.FindIndex(l => l.Contains("choice", StringComparison.Ordinal)), "tasks in order");

        // stdout is the table alone, as scripts parse it.
        var table = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^task\s+metric\s+value\s+stderr\s+n$", table[0]);
        Assert.Equal(4, table.Count(l => !l.StartsWith("warning: ", StringComparison.Ordinal)));
        Assert.DoesNotContain("eval:", run.Stdout);
    }

    [Fact]
    public async Task ATerminalOfEightyColumnsGetsAProgressBar()
    {
        using var dir = new TempDirectory();
        var run = await PseudoTerminal.Run(TimeSpan.FromSeconds(180), "eval", Model(dir), "--task", EvalCommandTests.Example("arithmetic-answer.yml"), "--limit", "5");
        string output = run.Stdout;
        Assert.True(run.ExitCode == 0, output + run.Stderr);
        Assert.Contains("arithmetic-answer 5/5 documents", output);
        Assert.Contains("━", output); // Spectre's progress bar
        Assert.Contains("100%", output);
        Assert.DoesNotContain("eval: ", output); // the bar instead of log lines
        Assert.Matches(new Regex(@"arithmetic-answer\s+exact_match\s+\d+\.\d{4}"), output);
        Assert.All(Regex.Replace(output, @"\x1b(\[[0-9;?]*[A-Za-z]|\][^\a]*\a)", "").Split('\n', '\r'), line => Assert.True(line.Length <= 80, line));
    }
}
