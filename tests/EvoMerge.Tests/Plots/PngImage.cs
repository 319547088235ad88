using SkiaSharp;
using Xunit;

namespace EvoMerge.Tests.Plots;

/// <summary>Checks on a PNG file: signature, IHDR size, and decoded pixels.</summary>
public static class PngImage
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Asserts the signature and the IHDR chunk, and returns the width and height it declares.</summary>
    public static (int Width, int Height) Header(byte[] png)
    {
        Assert.True(png.Length > 33, "too short for a PNG");
        Assert.Equal(Signature, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        int width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4));
        int height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4));
        return (width, height);
    }

    /// <summary>Decodes the PNG and counts pixels close to <paramref name="color"/> (each channel within 40).</summary>
    public static int CountPixels(byte[] png, SKColor color)
    {
        using var bitmap = SKBitmap.Decode(png);
        Assert.NotNull(bitmap);
        int count = 0;
        foreach (var pixel in bitmap.Pixels)
        {
            if (Math.Abs(pixel.Red - color.Red) <= 40 && Math.Abs(pixel.Green - color.Green) <= 40 && Math.Abs(pixel.Blue - color.Blue) <= 40) count++;
        }
        return count;
    }
}
