using System.Diagnostics;
using System.Text;
using EvoMerge.Tensors.Yaml;
using Xunit;

namespace EvoMerge.Tests.Tensors;

/// <summary>The bounded YAML loader every reader uses: limits hold on the event stream, before a tree is built.</summary>
public sealed class YamlDocumentLoaderTests
{
    /// <summary>
    /// Nine levels of nine aliases each: 9^9 ≈ 387 million scalars once expanded. Counted by hand: the root mapping,
    /// keys a..e and their lists a (1 + 9 = 10), b (1 + 9·10 = 91), c (820), d (7,381), e (66,430) make 74,738
    /// nodes; key f and its list make 74,740, and f's first *e adds 66,430 → 141,170 > 100,000, on line 6.
    /// </summary>
    public const string BillionLaughs = """
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

    public const string BillionLaughsMessage = "6: more than 100000 nodes once aliases are expanded (limit MaxNodes)";

    [Fact]
    public void BillionLaughsStopsAtTheNodeLimitQuickly()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<YamlInputException>(() => YamlDocumentLoader.Load(BillionLaughs, "bomb.yml"));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "allocated over 10 MB");
        Assert.Equal("bomb.yml:" + BillionLaughsMessage, e.Message);
    }

    [Fact]
    public void AFewAliasesWithinTheLimitsLoad()
    {
        var stream = YamlDocumentLoader.Load("base: &r [0, 1]\nother: *r\n", "ok.yml");
        Assert.Single(stream.Documents);
    }

    [Fact]
    public void DeepNestingIsRefusedAtTheDepthLimit()
    {
        string deep = "x: " + new string('[', 65) + new string(']', 65) + "\n";
        var e = Assert.Throws<YamlInputException>(() => YamlDocumentLoader.Load(deep, "deep.yml"));
        // The root mapping is level 1, so the 64th '[' is level 65.
        Assert.Equal("deep.yml:1: nesting deeper than 64 levels (limit MaxDepth)", e.Message);
        // 63 lists inside the mapping are 64 levels: allowed.
        YamlDocumentLoader.Load("x: " + new string('[', 63) + new string(']', 63) + "\n", "ok.yml");
    }

    [Fact]
    public void NestingThroughAliasesCountsAtTheExpandedDepth()
    {
        // &a is 40 levels of lists; placed inside 30 more levels it reaches 70.
        string text = "a: &a " + new string('[', 40) + new string(']', 40) + "\nb: " + new string('[', 30) + "*a" + new string(']', 30) + "\n";
        var e = Assert.Throws<YamlInputException>(() => YamlDocumentLoader.Load(text, "deep.yml"));
        Assert.Equal("deep.yml:2: nesting deeper than 64 levels once aliases are expanded (limit MaxDepth)", e.Message);
    }

    [Fact]
    public void TooManyAliasesAreRefused()
    {
        var text = new StringBuilder("a: &a 1\nb: [");
        for (int i = 0; i < 1001; i++) text.Append("*a, ");
        text.Append("]\n");
        var e = Assert.Throws<YamlInputException>(() => YamlDocumentLoader.Load(text.ToString(), "many.yml"));
        Assert.Equal("many.yml:2: more than 1000 aliases (limit MaxAliases)", e.Message);
    }

    [Fact]
    public void AnAliasInsideItsOwnAnchorIsRefused()
    {
        var e = Assert.Throws<YamlInputException>(() => YamlDocumentLoader.Load("a: &a [1, *a]\n", "loop.yml"));
        Assert.Equal("loop.yml:1: alias *a refers to a node that contains it", e.Message);
    }

    [Fact]
    public void AnOversizeFileIsRefusedBeforeItIsRead()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("big.yml");
        File.WriteAllText(path, "x: 1\n" + new string('#', 1024 * 1024) + "\n");
        var e = Assert.Throws<YamlInputException>(() => YamlDocumentLoader.ReadText(path));
        Assert.Equal($"{path}: file is 1048582 bytes, over the 1 MiB limit (MaxBytes)", e.Message);
    }

    [Fact]
    public void OversizeTextIsRefused()
    {
        var e = Assert.Throws<YamlInputException>(() => YamlDocumentLoader.Load(new string(' ', 1024 * 1024 + 1), "big.yml"));
        Assert.Equal("big.yml: document is over the 1 MiB limit (MaxBytes)", e.Message);
    }

    [Fact]
    public void NonUtf8BytesAreRefusedWithTheirOffset()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("latin1.yml");
        File.WriteAllBytes(path, [(byte)'a', (byte)':', (byte)' ', 0xE9, (byte)'\n']);
        var e = Assert.Throws<YamlInputException>(() => YamlDocumentLoader.ReadText(path));
        Assert.Equal($"{path}: not UTF-8 text (invalid byte at offset 3)", e.Message);
    }

    [Fact]
    public void AByteOrderMarkIsDropped()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("bom.yml");
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, (byte)'a', (byte)':', (byte)' ', (byte)'1', (byte)'\n']);
        Assert.Equal("a: 1\n", YamlDocumentLoader.ReadText(path));
    }
}
