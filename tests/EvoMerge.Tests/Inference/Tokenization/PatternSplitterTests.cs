using System.Text.RegularExpressions;
using EvoMerge.Inference.Tokenization;
using Xunit;

namespace EvoMerge.Tests.Inference.Tokenization;

public sealed class PatternSplitterTests
{
    private const string QwenPattern = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    [Theory]
    [InlineData("a\U00020000b", new[] { "a\U00020000b" })]                 // a CJK Extension B letter stays inside its word
    [InlineData(" \U0001D407\U0001D41E", new[] { " \U0001D407\U0001D41E" })] // mathematical bold letters are letters
    [InlineData("\U0001D7D9\U0001D7DA", new[] { "\U0001D7D9", "\U0001D7DA" })] // supplementary digits split one by one
    [InlineData("hi \U0001F600!", new[] { "hi", " \U0001F600!" })]         // emoji are symbols
    [InlineData("It's 42", new[] { "It", "'s", " ", "4", "2" })]
    public void SplitsByCodePoint(string text, string[] pieces)
    {
        var output = new List<string>();
        new PatternSplitter(new Regex(QwenPattern)).Split(text, output);
        Assert.Equal(pieces, output);
    }

    [Fact]
    public void KeepsOrRemovesMatches()
    {
        var removed = new List<string>();
        new PatternSplitter(new Regex("-"), keepMatches: false).Split("a-b--c", removed);
        Assert.Equal(["a", "b", "c"], removed);
        var isolated = new List<string>();
        new PatternSplitter(new Regex("-+")).Split("a-b--c", isolated);
        Assert.Equal(["a", "-", "b", "--", "c"], isolated);
    }
}
