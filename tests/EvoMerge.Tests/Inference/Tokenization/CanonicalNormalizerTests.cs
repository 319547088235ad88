using System.Globalization;
using System.IO.Compression;
using System.Text;
using EvoMerge.Inference.Tokenization;
using Xunit;

namespace EvoMerge.Tests.Inference.Tokenization;

/// <summary>NFC/NFD against the Unicode conformance file NormalizationTest.txt (tests/fixtures/tokenizers/unicode).</summary>
public sealed class CanonicalNormalizerTests
{
    [Fact]
    public void PassesEveryNormalizationTestLine()
    {
        string path = Path.Combine(TokenizerFixtures.FixtureRoot, "unicode", "NormalizationTest.txt.gz");
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        int lines = 0;
        var failures = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0 || line[0] is '#' or '@') continue;
            string[] c = line.Split(';').Take(5).Select(Parse).ToArray();
            lines++;
            // NFC: c2 == toNFC(c1) == toNFC(c2) == toNFC(c3); c4 == toNFC(c4) == toNFC(c5). NFD: c3 == toNFD(c1..c3); c5 == toNFD(c4, c5).
            Check(failures, line, "NFC", c[1], CanonicalNormalizer.ToNfc, c[0], c[1], c[2]);
            Check(failures, line, "NFC", c[3], CanonicalNormalizer.ToNfc, c[3], c[4]);
            Check(failures, line, "NFD", c[2], CanonicalNormalizer.ToNfd, c[0], c[1], c[2]);
            Check(failures, line, "NFD", c[4], CanonicalNormalizer.ToNfd, c[3], c[4]);
        }
        Assert.True(lines > 15_000, $"only {lines} test lines read");
        Assert.True(failures.Count == 0, $"{failures.Count} failures, first: {string.Join("\n", failures.Take(10))}");
    }

    [Theory]
    [InlineData("cafe\u0301", "caf\u00e9")]
    [InlineData("\u212b", "\u00c5")]
    [InlineData("\u1100\u1161\u11a8", "\uac01")]
    [InlineData("a\u0328\u0301", "\u0105\u0301")]
    [InlineData("plain ascii", "plain ascii")]
    [InlineData("", "")]
    public void ComposesCanonically(string input, string nfc) => Assert.Equal(nfc, CanonicalNormalizer.ToNfc(input));

    private static void Check(List<string> failures, string line, string form, string expected, Func<string, string> normalize, params string[] inputs)
    {
        foreach (string input in inputs)
            if (normalize(input) != expected) failures.Add($"{form}: {line}");
    }

    private static string Parse(string field)
    {
        var sb = new StringBuilder();
        foreach (string hex in field.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            sb.Append(char.ConvertFromUtf32(int.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture)));
        return sb.ToString();
    }
}
