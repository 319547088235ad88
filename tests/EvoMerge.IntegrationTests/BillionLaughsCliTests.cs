using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// The built CLI refuses a billion-laughs search config and recipe with exit 1 and one line naming the file and the
/// node limit (before the bounded loader, the search config expanded to gigabytes).
/// </summary>
public sealed class BillionLaughsCliTests
{
    /// <summary>9^9 scalars once expanded; the node limit (100,000) is crossed by f's first alias, on line 6.</summary>
    private const string BillionLaughs = """
        a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
        d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
        e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
        f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
        g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
        h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
        i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]

        """;

    [Theory]
    [InlineData("search", "--dry-run")]
    [InlineData("merge", "out")]
    public void ABillionLaughsFileIsOneLineAndExitOne(string command, string argument)
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "bomb.yml");
        File.WriteAllText(path, BillionLaughs);
        string[] args = command == "merge" ? [command, path, Path.Combine(dir.Path, argument)] : [command, path, argument];
        var result = CliRunner.Run(TimeSpan.FromSeconds(30), args);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"evomerge: error: {path}:6: more than 100000 nodes once aliases are expanded (limit MaxNodes)",
            Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
