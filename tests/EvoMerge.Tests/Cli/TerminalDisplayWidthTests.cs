using System.Text.RegularExpressions;
using EvoMerge.Cli;
using EvoMerge.Evaluation;
using EvoMerge.Host;
using Spectre.Console;
using Xunit;

namespace EvoMerge.Tests.Cli;

/// <summary>
/// The live displays (search, as <see cref="TerminalProgress"/> draws it, and eval) rendered by Spectre.Console on a terminal of 80 and 120 columns: no line is
/// wider than the terminal (nothing wraps or is cut by Spectre) and the key facts stay readable.
/// </summary>
public sealed partial class TerminalDisplayWidthTests
{
    private static RunStatus Status(string state) => new()
    {
        RunId = "r", RunDirectory = "/tmp/r", State = state, Alive = true, ConfigHash = "h", Version = "v",
        Generation = 12, GenerationsBudget = 50, EvaluationsDone = 96, EvaluationsBudget = 400, ArchiveSize = 17, Hypervolume = 0.0123456,
        ElapsedSeconds = 100,
        Best = new Dictionary<string, double?> { ["arithmetic_exact_match"] = 0.8123, ["code_pass_rate"] = 0.4371, ["prose_word_perplexity"] = 12.34567 },
    };

    /// <summary>What <paramref name="show"/> draws on a terminal <paramref name="width"/> columns wide, escape sequences removed, one entry per line.</summary>
    private static List<string> Render(int width, Func<IAnsiConsole, Task> show)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.Yes, ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.Yes, Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = width;
        console.Profile.Height = 24;
        console.Profile.Capabilities.Unicode = true;
        show(console).GetAwaiter().GetResult();
        return Escape().Replace(writer.ToString(), "").Split('\n', '\r').ToList(); // a carriage return starts the line again
    }

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[A-Za-z]|\][^\a]*\a)")]
    private static partial Regex Escape();

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void TheSearchDisplayFitsTheTerminalAndKeepsItsFacts(int width)
    {
        var status = Status("running");
        var lines = Render(width, console => TerminalRows.ShowAsync(console, 2, w => LiveDisplayRows.Of(status, ("candidate 7/8 of generation 12", 7, 8), w), new CancellationToken(canceled: true)));

        Assert.All(lines, line => Assert.True(line.Length <= width, $"{line.Length} > {width}: {line}"));
        string text = string.Join("\n", lines);
        Assert.DoesNotContain("…", text);
        Assert.Contains("candidate 7/8 of generation 12", text);
        Assert.Contains("evaluations 96/400", text);
        Assert.Contains("━", text);
        foreach (string fact in new[] { "running: best", "arithmetic_exact_match=0.8123", "code_pass_rate=0.4371", "prose_word_perplexity=12.35", "hv=0.01235", "archive=17" })
            Assert.Contains(fact, text);
    }

    [Fact]
    public void AtEightyColumnsALongActivityIsCutToItsColumnAndTheSummaryWraps()
    {
        var status = Status("finished");
        const string activity = "scoring archive members on the test split of every objective (3/40)";
        var lines = Render(80, console => TerminalRows.ShowAsync(console, 2, w => LiveDisplayRows.Of(status, (activity, 3, 40), w), new CancellationToken(canceled: true)));

        Assert.All(lines, line => Assert.True(line.Length <= 80, $"{line.Length} > 80: {line}"));
        // 80 columns leave 44 for the description: 43 characters and the ellipsis.
        Assert.Contains(activity[..43] + "…", string.Join("\n", lines));
        Assert.Contains(lines, l => l.StartsWith("finished: best arithmetic_exact_match=0.8123", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(80)]
    [InlineData(120)]
    public void TheEvalDisplayFitsTheTerminal(int width)
    {
        var progress = new EvalProgress("arithmetic-answer-with-a-very-long-task-name-indeed", 120, 400, TimeSpan.FromSeconds(35));
        var lines = Render(width, console => TerminalRows.ShowAsync(console, 1, w => ([(progress.Description(w), progress.Done, progress.Total)], ""), new CancellationToken(canceled: true)));

        Assert.All(lines, line => Assert.True(line.Length <= width, $"{line.Length} > {width}: {line}"));
        Assert.Contains(lines, l => l.Contains("120/400 documents", StringComparison.Ordinal) && l.Contains("30%", StringComparison.Ordinal));
    }
}
