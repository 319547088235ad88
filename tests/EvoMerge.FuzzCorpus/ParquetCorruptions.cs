using System.Text;

namespace EvoMerge.FuzzCorpus;

/// <summary>
/// Corrupt copies of a valid Parquet file: flipped bytes, truncations, an empty file, bad footer lengths (negative,
/// huge, the file's length, zero), broken magics and a text file. Used by ParquetCorruptionTests and the stored corpus.
/// </summary>
public static class ParquetCorruptions
{
    /// <summary>A CSV text file (what a user might name .parquet by mistake); its rows must never be quoted back.</summary>
    public static readonly byte[] TextFile = Encoding.UTF8.GetBytes("question,choices,label\nsecret question?,\"a|b\",1\nanother secret row,\"c|d\",0\n");

    /// <summary>The cases, each a name and the bytes, drawn from <paramref name="random"/>.</summary>
    public static List<(string Name, byte[] Bytes)> Of(byte[] valid, Random random)
    {
        var cases = new List<(string, byte[])>();
        for (int i = 0; i < 64; i++)
        {
            int at = random.Next(valid.Length);
            var bytes = (byte[])valid.Clone();
            bytes[at] ^= (byte)random.Next(1, 256);
            cases.Add(($"byte {at} flipped", bytes));
        }
        for (int i = 0; i < 8; i++)
        {
            int length = random.Next(valid.Length);
            cases.Add(($"truncated to {length} bytes", valid[..length]));
        }
        cases.Add(("empty", []));
        cases.Add(("last byte dropped", valid[..^1]));
        foreach (int footer in new[] { -1, int.MinValue, int.MaxValue, valid.Length, valid.Length - 11, 0 })
        {
            var bytes = (byte[])valid.Clone();
            BitConverter.TryWriteBytes(bytes.AsSpan(valid.Length - 8, 4), footer);
            cases.Add(($"footer length {footer}", bytes));
        }
        var noHead = (byte[])valid.Clone();
        noHead[0] = (byte)'X';
        cases.Add(("head magic broken", noHead));
        var noTail = (byte[])valid.Clone();
        noTail[^1] = (byte)'X';
        cases.Add(("tail magic broken", noTail));
        cases.Add(("text file", TextFile));
        return cases;
    }
}
