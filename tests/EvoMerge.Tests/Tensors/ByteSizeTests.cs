using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.Tests.Tensors;

/// <summary>HuggingFace's size strings (hand-worked values): decimal and binary units, plain byte counts, and refusals naming the option.</summary>
public class ByteSizeTests
{
    [Theory]
    [InlineData("5GB", 5_000_000_000L)]
    [InlineData("500MB", 500_000_000L)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("1.5KiB", 1536L)]
    [InlineData(" 10kb ", 10_000L)]
    [InlineData("123B", 123L)]
    [InlineData("4096", 4096L)]
    public void ParsesSizes(string text, long bytes) => Assert.Equal(bytes, ByteSize.Parse(text, "--max-shard-size"));

    [Theory]
    [InlineData("0GB")]
    [InlineData("-1MB")]
    [InlineData("5 parsecs")]
    [InlineData("")]
    public void RefusesOthersNamingTheOption(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => ByteSize.Parse(text, "--max-shard-size"));
        Assert.StartsWith($"--max-shard-size '{text}': expected a positive size", error.Message);
    }
}
