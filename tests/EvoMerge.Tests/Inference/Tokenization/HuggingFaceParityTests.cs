using System.Text;
using System.Text.Json;
using Xunit;

namespace EvoMerge.Tests.Inference.Tokenization;

/// <summary>
/// Every corpus string of expected-ids.json against HuggingFace's ids (recorded from transformers.js and checked
/// against HF's Rust tokenizers by the generator) on the three fixture tokenizers and their two variants.
/// </summary>
public sealed class HuggingFaceParityTests
{
    public static TheoryData<string> Fixtures => new(TokenizerFixtures.Names.Concat(TokenizerFixtures.Variants));

    [Fact]
    public void CorpusIsLargeAndCoversEveryFixture()
    {
        var expected = TokenizerFixtures.ExpectedIds;
        Assert.True(expected.Cases.Count >= 200, $"corpus has {expected.Cases.Count} strings");
        Assert.Equal(TokenizerFixtures.Variants.Order(), expected.Variants.Keys.Order());
        Assert.All(expected.Cases, c => Assert.Equal(TokenizerFixtures.Names.Concat(TokenizerFixtures.Variants).Order(), c.Tokenizers.Keys.Order()));
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void IdsMatchWithoutSpecialTokens(string fixture) =>
        AssertAll(fixture, c => c.Tokenizers[fixture].Ids, addSpecialTokens: false);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void IdsMatchWithSpecialTokens(string fixture) =>
        AssertAll(fixture, c => c.Tokenizers[fixture].IdsWithSpecialTokens ?? c.Tokenizers[fixture].Ids, addSpecialTokens: true);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void DecodeMatches(string fixture)
    {
        var tokenizer = TokenizerFixtures.Tokenizer(fixture);
        var failures = new StringBuilder();
        int count = 0;
        foreach (var c in TokenizerFixtures.ExpectedIds.Cases)
        {
            var expected = c.Tokenizers[fixture];
            string actual = tokenizer.Decode(expected.Ids);
            if (actual == expected.Decoded) continue;
            if (++count <= 10) failures.AppendLine($"{Show(c.Text)}: expected {Show(expected.Decoded)}, got {Show(actual)}");
        }
        Assert.True(count == 0, $"{fixture}: {count} decodes differ from HF\n{failures}");
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void DecodeRoundTripsWhereHuggingFaceIsLossless(string fixture)
    {
        var tokenizer = TokenizerFixtures.Tokenizer(fixture);
        var lossless = TokenizerFixtures.ExpectedIds.Cases.Where(c => c.Tokenizers[fixture].Decoded == c.Text).ToList();
        Assert.True(lossless.Count >= 150, $"{fixture}: only {lossless.Count} lossless strings");
        Assert.All(lossless, c => Assert.Equal(c.Text, tokenizer.Decode(tokenizer.Encode(c.Text, addSpecialTokens: false))));
    }

    [Fact]
    public void ConcurrentEncodesGiveTheSameIds()
    {
        var tokenizer = TokenizerFixtures.Tokenizer("qwen3");
        var cases = TokenizerFixtures.ExpectedIds.Cases;
        Parallel.For(0, cases.Count * 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            var ids = tokenizer.Encode(cases[i % cases.Count].Text, addSpecialTokens: false).ToArray();
            if (i >= cases.Count) Assert.Equal(cases[i % cases.Count].Tokenizers["qwen3"].Ids, ids);
        });
    }

    private static void AssertAll(string fixture, Func<ExpectedCase, int[]> expectedIds, bool addSpecialTokens)
    {
        var tokenizer = TokenizerFixtures.Tokenizer(fixture);
        var failures = new StringBuilder();
        int count = 0;
        foreach (var c in TokenizerFixtures.ExpectedIds.Cases)
        {
            var expected = expectedIds(c);
            var actual = tokenizer.Encode(c.Text, addSpecialTokens);
            if (expected.SequenceEqual(actual)) continue;
            if (++count <= 10) failures.AppendLine($"{Show(c.Text)}: expected [{string.Join(",", expected)}], got [{string.Join(",", actual)}]");
        }
        Assert.True(count == 0, $"{fixture}: {count} of {TokenizerFixtures.ExpectedIds.Cases.Count} strings differ from HF\n{failures}");
    }

    private static string Show(string s) => JsonSerializer.Serialize(s);
}
