using System.Text;

namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// GPT-2's byte-to-character table used by byte-level BPE: printable Latin-1 bytes stand for themselves, the other
/// bytes map to U+0100 upwards in byte order (so a space is 'Ġ' and a newline 'Ċ'). The one place this table
/// (GPT-2's <c>bytes_to_unicode</c>) is written; tokenizer writers read it from here.
/// </summary>
public static class ByteLevelAlphabet
{
    private static readonly char[] CharOfByte = new char[256];
    private static readonly Dictionary<char, byte> ByteOfChar = [];

    static ByteLevelAlphabet()
    {
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            CharOfByte[b] = printable ? (char)b : (char)next++;
            ByteOfChar[CharOfByte[b]] = (byte)b;
        }
    }

    /// <summary>The 256 characters standing for bytes 0–255, in byte order (a copy).</summary>
    public static char[] Characters() => (char[])CharOfByte.Clone();

    /// <summary>The UTF-8 bytes of <paramref name="text"/> spelled in the byte-level alphabet.</summary>
    public static string Encode(ReadOnlySpan<char> text)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(text)];
        Encoding.UTF8.GetBytes(text, bytes);
        return string.Create(bytes.Length, bytes, static (chars, raw) =>
        {
            for (int i = 0; i < raw.Length; i++) chars[i] = CharOfByte[raw[i]];
        });
    }

    /// <summary>
    /// Appends the bytes a token stands for; a token with a character outside the alphabet (an added token such as
    /// "&lt;|im_start|&gt;" with a space in it) contributes its own UTF-8 bytes, as HuggingFace's ByteLevel decoder does.
    /// </summary>
    public static void AppendBytes(string token, List<byte> bytes)
    {
        foreach (char c in token)
            if (!ByteOfChar.ContainsKey(c))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
                return;
            }
        foreach (char c in token) bytes.Add(ByteOfChar[c]);
    }
}
