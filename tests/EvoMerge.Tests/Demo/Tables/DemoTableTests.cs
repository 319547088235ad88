using System.Text.Json.Nodes;
using EvoMerge.Demo.Tables;
using Xunit;

namespace EvoMerge.Tests.Demo.Tables;

/// <summary>
/// The demo table's Markdown and JSON on three hand-made rows of four documents per column, with the paired
/// differences worked by hand: evolved − s2 is [0,0,0,1] and [0,0,1,0] per column (mean 0.25, standard error 0.25
/// each), so +25.0 ± √(0.25² + 0.25²)/2 = 17.7; s1 − s2 is [0,−1,0,0] and [0,0,0,0], so −12.5 ± 0.25/2 = 12.5.
/// </summary>
public class DemoTableTests
{
    private static DemoTableRow Row(string model, string kind, string note, double dev, double[] first, double[] second, double averageError) =>
        new(model, kind, note, dev, [(first.Average(), 0.25, first.Length), (second.Average(), 0.25, second.Length)],
            (first.Average() + second.Average()) / 2, averageError, [first, second]);

    private static DemoTable Table() => new(
        ["a choice", "a answer"],
        [
            Row("s1", "source", "", 0.5, [1, 0, 1, 0], [1, 1, 0, 0], 0.125),
            Row("s2", "source", "", 0.6, [1, 1, 1, 0], [1, 1, 0, 0], 0.125),
            Row("evolved #0", "evolved", "best dev average", 0.7, [1, 1, 1, 1], [1, 1, 1, 0], 0.125),
        ],
        new Dictionary<string, string> { ["seed"] = "3" });

    [Fact]
    public void TheReferenceIsTheSourceWithTheBestDevAverage() => Assert.Equal("s2", Table().Reference.Model);

    [Fact]
    public void MarkdownShowsPercentagesAndPairedDifferences()
    {
        string[] lines = Table().ToMarkdown().Split('\n');
        Assert.Equal("| model | chosen by | dev average | a choice | a answer | **average** | vs s2 (paired) |", lines[0]);
        Assert.Equal("|---|---|---:|---:|---:|---:|---:|", lines[1]);
        Assert.Equal("| s1 |  | 50.0 | 50.0 ± 25.0 | 50.0 ± 25.0 | **50.0 ± 12.5** | -12.5 ± 12.5 |", lines[2]);
        Assert.Equal("| s2 |  | 60.0 | 75.0 ± 25.0 | 50.0 ± 25.0 | **62.5 ± 12.5** |  |", lines[3]);
        Assert.Equal("| evolved #0 | best dev average | 70.0 | 100.0 ± 25.0 | 75.0 ± 25.0 | **87.5 ± 12.5** | +25.0 ± 17.7 |", lines[4]);
        Assert.Equal("", lines[5]);
    }

    [Fact]
    public void JsonKeepsFractionsAndTheComparison()
    {
        var json = JsonNode.Parse(Table().ToJson())!;
        Assert.Equal("s2", (string?)json["reference"]);
        Assert.Equal("3", (string?)json["facts"]!["seed"]);
        var evolved = json["rows"]![2]!;
        Assert.Equal("best dev average", (string?)evolved["chosen_by"]);
        Assert.Equal(1.0, (double)evolved["test"]!["a choice"]!["value"]!);
        Assert.Equal(4, (int)evolved["test"]!["a answer"]!["n"]!);
        Assert.Equal(0.25, (double)evolved["versus_reference"]!["difference"]!, 12);
        Assert.Equal(Math.Sqrt(0.125) / 2, (double)evolved["versus_reference"]!["paired_stderr"]!, 12);
        Assert.Equal(0.0, (double)json["rows"]![1]!["versus_reference"]!["difference"]!);
    }
}
