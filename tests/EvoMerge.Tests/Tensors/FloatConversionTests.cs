using Xunit;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Tests.Tensors;

/// <summary>
/// fp32 → bf16/fp16 conversions done while reading (torch's) must round to nearest even, keep NaN a NaN, saturate
/// to ±inf and handle subnormals; widening must be exact. The references here are written independently.
/// </summary>
public class FloatConversionTests
{
    /// <summary>Reference fp32 → bf16 by the bit rule: round to nearest, ties to even; NaN stays NaN.</summary>
    private static ushort ReferenceBf16(uint bits)
    {
        if ((bits & 0x7F800000) == 0x7F800000 && (bits & 0x007FFFFF) != 0) return (ushort)(0x7FC0 | ((bits >> 16) & 0x8000));
        uint lsb = (bits >> 16) & 1;
        return (ushort)((bits + 0x7FFF + lsb) >> 16);
    }

    public static TheoryData<uint> EdgeCases() => new(
        0x3F800000u, // 1.0
        0x3F808000u, // exactly half-way between two bf16 values, even below: rounds down
        0x3F818000u, // half-way, odd below: rounds up
        0x3F808001u, // just above half-way: rounds up
        0x3F807FFFu, // just below half-way: rounds down
        0x7F7FFFFFu, // float max: rounds to +inf
        0xFF7FFFFFu, // -float max: rounds to -inf
        0x7F800000u, // +inf
        0xFF800000u, // -inf
        0x7FC00000u, // quiet NaN
        0x00000001u, // smallest subnormal
        0x00400000u, // subnormal
        0x807FFFFFu, // largest negative subnormal
        0x00008000u, // subnormal half-way
        0x80000000u, // -0
        0x00000000u);

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Bf16NarrowingMatchesRoundToNearestEven(uint bits)
    {
        using var dir = new TempDirectory();
        float value = BitConverter.UInt32BitsToSingle(bits);
        using var source = torch.tensor(new[] { value });
        SafetensorsWriter.WriteModel(dir.Path, [("x", source)]);
        using var file = SafetensorsFile.Open(dir.Combine("model.safetensors"));
        using var bf16 = file.Load("x", torch.ScalarType.BFloat16);
        ushort actual = BitConverter.ToUInt16(bf16.bytes);
        ushort expected = ReferenceBf16(bits);
        if (float.IsNaN(value))
        {
            Assert.Equal(0x7F80, actual & 0x7F80);
            Assert.NotEqual(0, actual & 0x007F);
        }
        else
        {
            Assert.Equal(expected, actual);
        }

        // Widening back is exact: the bf16 bits become the top half of the fp32 bits.
        SafetensorsWriter.WriteModel(dir.Path, [("y", bf16)]);
        using var file2 = SafetensorsFile.Open(dir.Combine("model.safetensors"));
        using var widened = file2.Load("y", torch.ScalarType.Float32);
        Assert.Equal((uint)actual << 16, BitConverter.ToUInt32(widened.bytes));
    }

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Fp16NarrowingMatchesIeeeRoundToNearestEven(uint bits)
    {
        using var dir = new TempDirectory();
        float value = BitConverter.UInt32BitsToSingle(bits);
        using var source = torch.tensor(new[] { value, 65520f, 65519f, 5.9604645e-8f, 2.9802322e-8f, 2.9802326e-8f });
        SafetensorsWriter.WriteModel(dir.Path, [("x", source)]);
        using var file = SafetensorsFile.Open(dir.Combine("model.safetensors"));
        using var half = file.Load("x", torch.ScalarType.Float16);
        var actual = half.bytes.ToArray();
        float[] inputs = source.data<float>().ToArray();
        for (int i = 0; i < inputs.Length; i++)
        {
            ushort got = BitConverter.ToUInt16(actual, 2 * i);
            Half expected = (Half)inputs[i]; // .NET's conversion is IEEE 754 round-to-nearest-even
            if (Half.IsNaN(expected)) Assert.True(Half.IsNaN(BitConverter.UInt16BitsToHalf(got)));
            else Assert.Equal(BitConverter.HalfToUInt16Bits(expected), got);
        }
    }
}
