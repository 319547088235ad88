using EvoMerge.Merging.Sparsification;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>
/// della's vectorised row decisions against this test's own full stable ranking (descending |δ|, equal magnitudes by
/// column), the documented float32 keep probability and its own lowbias32 draws, on rows that take each of the
/// decision paths: few undecided elements, a bucket of many distinct keys, buckets of ties, more open buckets than are
/// scanned one by one, a row whose bulk lies 16 binades below one outlier, short and unaligned rows, and draws whose
/// indices cross 2³². Also the packing of a row's bits at any offset.
/// </summary>
public sealed unsafe class DellaRowDecisionsTests
{
    private static uint ReferenceBits(ulong key, long index) => ReferenceCounterDraws.Bits(key, index);

    private static bool[] Reference(float[] values, float[]? baseValues, long offset, double density, double epsilon, ulong key)
    {
        int n = values.Length;
        var magnitude = Enumerable.Range(0, n).Select(c => Math.Abs(baseValues is null ? values[c] : values[c] - baseValues[c])).ToArray();
        var byRank = Enumerable.Range(0, n).OrderByDescending(c => magnitude[c]).ToArray();
        var keep = new bool[n];
        for (int p = 0; p < n; p++)
        {
            int c = byRank[p];
            float probability = (float)(density + epsilon - p * (2 * epsilon / (n - 1)));
            float draw = ReferenceBits(key, offset + c) >> 8;
            keep[c] = draw < probability * 16777216f;
        }
        return keep;
    }

    private static bool[] Decide(float[] values, float[]? baseValues, long offset, double density, double epsilon, ulong key, bool wide)
    {
        int n = values.Length;
        var probability = new float[n];
        for (int p = 0; p < n; p++) probability[p] = (float)(density + epsilon - p * (2 * epsilon / (n - 1))) * 16777216f;
        Assert.True(DellaRowDecisions.Applies(n, probability));
        var buffers = new DellaRowDecisions.Buffers(n);
        // Stale bits from a longer row must not leak into a shorter one.
        Array.Fill(buffers.Words, ulong.MaxValue);
        fixed (float* v = values)
        fixed (float* b = baseValues)
        fixed (ulong* words = buffers.Words)
        {
            DellaRowDecisions.Decide(v, baseValues is null ? null : b, offset, n, density, epsilon, probability, key, words, buffers, wide);
        }
        return Enumerable.Range(0, n).Select(c => ((buffers.Words[c >> 6] >> (c & 63)) & 1) != 0).ToArray();
    }

    private static void AssertSame(float[] values, float[]? baseValues, long offset, double density, double epsilon, ulong key, string what)
    {
        var expected = Reference(values, baseValues, offset, density, epsilon, key);
        // Both draw passes: 16 lanes (AVX-512, emulated where not accelerated) and 8 (AVX2).
        foreach (bool wide in new[] { true, false })
        {
            var actual = Decide(values, baseValues, offset, density, epsilon, key, wide);
            for (int c = 0; c < values.Length; c++)
                Assert.True(expected[c] == actual[c], $"{what} ({(wide ? 16 : 8)} lanes): column {c} expected {(expected[c] ? "kept" : "dropped")}");
        }
    }

    private static float Gaussian(Random random) =>
        (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));

    private static float BFloat16(float x)
    {
        uint bits = BitConverter.SingleToUInt32Bits(x);
        return BitConverter.UInt32BitsToSingle((bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000u);
    }

    [Avx2Fact]
    public void Gaussian_rows_of_several_lengths_match_a_full_stable_ranking()
    {
        var random = new Random(11);
        foreach (int n in new[] { 2, 63, 64, 1000, 2048, 5632 })
        {
            for (int row = 0; row < 4; row++)
            {
                var values = Enumerable.Range(0, n).Select(_ => Gaussian(random) * 0.02f).ToArray();
                var baseValues = Enumerable.Range(0, n).Select(_ => Gaussian(random) * 0.02f).ToArray();
                AssertSame(values, baseValues, (long)row * n, 0.5, 0.15, 0x9E3779B97F4A7C15UL + (ulong)row, $"n {n} row {row}");
                AssertSame(values, null, (long)row * n, 0.3, 0.05, 77, $"n {n} row {row} without base");
            }
        }
    }

    [Avx2Fact]
    public void Bf16_fine_tune_deltas_with_many_ties_match_a_full_stable_ranking()
    {
        var random = new Random(12);
        foreach (int n in new[] { 2048, 4096 })
        {
            for (int row = 0; row < 6; row++)
            {
                var baseValues = Enumerable.Range(0, n).Select(_ => BFloat16(Gaussian(random) * 0.02f)).ToArray();
                var values = baseValues.Select(b => BFloat16(b + Gaussian(random) * 0.001f)).ToArray();
                AssertSame(values, baseValues, (long)row * n, 0.5, 0.15, 5UL + (ulong)row, $"n {n} row {row}");
                AssertSame(values, baseValues, (long)row * n, 0.2, 0.19, 6UL + (ulong)row, $"n {n} row {row}, wide epsilon");
            }
        }
    }

    [Avx2Fact]
    public void A_bucket_of_many_distinct_magnitudes_and_a_bulk_sixteen_binades_below_an_outlier_match()
    {
        const int n = 2048;
        // Every magnitude distinct and within one 1/64 binade: one bucket holds the row.
        var narrow = Enumerable.Range(0, n).Select(c => (c % 2 == 0 ? 1f : -1f) * (1f + c * 1e-6f)).ToArray();
        AssertSame(narrow, null, 0, 0.5, 0.15, 3, "one bucket");
        var random = new Random(13);
        var outlier = Enumerable.Range(0, n).Select(_ => Gaussian(random)).ToArray();
        outlier[700] = 1e9f;
        AssertSame(outlier, null, 0, 0.5, 0.15, 4, "outlier");
        var withZeros = Enumerable.Range(0, n).Select(c => c % 3 == 0 ? 0f : Gaussian(random)).ToArray();
        AssertSame(withZeros, null, 0, 0.6, 0.3, 5, "a third zeros");
        // Shorter than one 64-column word: decided one element at a time, one bucket of ties or of distinct keys.
        AssertSame(Enumerable.Repeat(-0.5f, 63).ToArray(), null, 0, 0.5, 0.15, 6, "63 ties");
        AssertSame(narrow[..50], null, 0, 0.5, 0.15, 7, "50 in one bucket");
    }

    [Avx2Fact]
    public void Draw_indices_that_cross_two_to_the_32_match()
    {
        var random = new Random(14);
        const int n = 3000;
        var values = Enumerable.Range(0, n).Select(_ => Gaussian(random)).ToArray();
        foreach (long offset in new[] { (1L << 32) - 1000, (1L << 32) - 37, 5L << 32 })
            AssertSame(values, null, offset, 0.45, 0.1, 99, $"offset {offset}");
    }

    [Fact]
    public void A_rows_bits_packed_at_any_offset_equal_the_byte_packing()
    {
        var random = new Random(15);
        foreach (int n in new[] { 1, 7, 63, 64, 65, 200, 1000 })
        {
            foreach (long offset in new long[] { 0, 1, 63, 64, 130, 1000 })
            {
                var keep = Enumerable.Range(0, n).Select(_ => (byte)random.Next(2)).ToArray();
                var words = new ulong[(n + 63) / 64 + 1];
                for (int c = 0; c < n; c++) words[c >> 6] |= (ulong)keep[c] << (c & 63);
                // Bits past n are set and must be ignored.
                words[^1] = ulong.MaxValue;
                if (n % 64 != 0) words[n >> 6] |= ulong.MaxValue << (n & 63);
                long total = offset + n + 100;
                using var fromWords = KeepBits.Zeros(total);
                using var fromBytes = KeepBits.Zeros(total);
                fixed (ulong* w = words)
                fixed (byte* k = keep)
                {
                    KeepBits.PackWords(w, n, (byte*)MaskedL1Norms.Address(fromWords), offset);
                    KeepBits.Pack(k, n, (byte*)MaskedL1Norms.Address(fromBytes), offset);
                }
                Assert.True(fromBytes.bytes.ToArray().SequenceEqual(fromWords.bytes.ToArray()), $"n {n}, offset {offset}");
            }
        }
    }
}
