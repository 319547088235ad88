using System.Globalization;

namespace EvoMerge.Tensors;

/// <summary>Byte sizes as HuggingFace writes them (<c>max_shard_size</c>): "5GB" (decimal units), "2GiB" (binary units) or a plain byte count.</summary>
public static class ByteSize
{
    private static readonly (string Suffix, long Factor)[] Units =
    [
        ("KiB", 1L << 10), ("MiB", 1L << 20), ("GiB", 1L << 30), ("TiB", 1L << 40),
        ("KB", 1_000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000), ("B", 1),
    ];

    /// <summary>Parses a size; <paramref name="option"/> names the option in the error for a malformed or non-positive size.</summary>
    public static long Parse(string text, string option)
    {
        string trimmed = text.Trim();
        foreach (var (suffix, factor) in Units.Append(("", 1L)))
        {
            if (!trimmed.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) continue;
            if (double.TryParse(trimmed[..^suffix.Length].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                && value > 0 && value * factor < long.MaxValue)
                return (long)(value * factor);
            break;
        }
        throw new ArgumentException($"{option} '{text}': expected a positive size such as 5GB, 500MB, 2GiB or a byte count");
    }
}
