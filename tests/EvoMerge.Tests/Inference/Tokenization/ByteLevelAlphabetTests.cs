using EvoMerge.Inference.Tokenization;
using Xunit;

namespace EvoMerge.Tests.Inference.Tokenization;

/// <summary>
/// GPT-2's <c>bytes_to_unicode</c>, worked by hand: the 188 printable bytes ('!'..'~', 0xA1..0xAC, 0xAE..0xFF) stand
/// for themselves; the other 68 take U+0100 upwards in byte order: 0x00..0x20 → U+0100..U+0120, 0x7F..0xA0 →
/// U+0121..U+0142, 0xAD → U+0143.
/// </summary>
public sealed class ByteLevelAlphabetTests
{
    [Fact]
    public void PrintableBytesStandForThemselvesAndTheOthersCountUpFromU0100()
    {
        char[] table = ByteLevelAlphabet.Characters();
        Assert.Equal(256, table.Length);
        Assert.Equal('\u0100', table[0x00]);
        Assert.Equal('Ċ', table['\n']);
        Assert.Equal('Ġ', table[' ']);
        Assert.Equal('!', table['!']);
        Assert.Equal('A', table['A']);
        Assert.Equal('~', table['~']);
        Assert.Equal('\u0121', table[0x7F]);
        Assert.Equal('\u0142', table[0xA0]);
        Assert.Equal('\u00A1', table[0xA1]);
        Assert.Equal('\u0143', table[0xAD]);
        Assert.Equal('\u00FF', table[0xFF]);
        Assert.Equal(256, table.Distinct().Count());
    }

    [Fact]
    public void EncodingSpellsEachUtf8ByteWithItsCharacter() =>
        Assert.Equal("aĠ\u00C3\u00A9", ByteLevelAlphabet.Encode("a \u00E9")); // é is UTF-8 C3 A9, both printable

    [Fact]
    public void TheTableIsACopy()
    {
        ByteLevelAlphabet.Characters()[' '] = 'x';
        Assert.Equal('Ġ', ByteLevelAlphabet.Characters()[' ']);
    }
}
