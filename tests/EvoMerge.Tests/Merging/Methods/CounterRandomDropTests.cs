using EvoMerge.Evaluation;
using EvoMerge.Merging.Sparsification;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>
/// The counter-based random stream of DARE and DELLA: each element's draw is a pure function of (stream key, index),
/// checked against this test's own implementation of the documented hash (lowbias32 twice, SplitMix64 for the key),
/// so masks and merges cannot depend on chunking, thread count or visiting order; plus the statistics that stand in for
/// bitwise parity with mergekit (kept fraction, expectation of the rescaled merge, della's rank probabilities).
/// </summary>
public sealed class CounterRandomDropTests
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    private static uint ReferenceBits(ulong key, long index) => ReferenceCounterDraws.Bits(key, index);

    private static bool ReferenceKeep(ulong key, long index, double density) =>
        (ReferenceBits(key, index) >> 8) < Math.Ceiling(density * 16777216.0);

    [Fact]
    public void The_stream_key_is_the_first_splitmix64_output_after_the_seed_and_stream_offset()
    {
        foreach (ulong seed in new ulong[] { 0, 1, 42, ulong.MaxValue - 3 })
        {
            for (int stream = 0; stream < 4; stream++)
            {
                // SeededRandom is SplitMix64; its first output from state s is the finaliser of s + golden.
                var reference = new SeededRandom(seed + (ulong)stream * Golden);
                Assert.Equal(reference.NextUInt64(), CounterRandom.StreamKey(seed, stream));
            }
        }
        Assert.Equal(0u, ReferenceCounterDraws.Lowbias32(0));
    }

    [Fact]
    public void Each_draw_is_a_pure_function_of_key_and_index_including_beyond_two_to_the_32()
    {
        ulong key = CounterRandom.StreamKey(7, 1);
        long[] indices = [0, 1, 2, 65_535, 65_536, 1L << 31, (1L << 32) - 1, 1L << 32, (1L << 32) + 5, 3L << 33];
        foreach (long i in indices)
        {
            Assert.Equal(ReferenceBits(key, i), CounterRandom.Bits(key, i));
            Assert.Equal((ReferenceBits(key, i) >> 8) / 16777216f, CounterRandom.Uniform(key, i));
        }
    }

    [Fact]
    public void A_dare_mask_is_the_same_built_whole_in_sevens_or_one_element_at_a_time()
    {
        using var scope = torch.NewDisposeScope();
        const int n = 200_003;
        const double density = 0.37;
        var generator = new torch.Generator(11, torch.CPU);
        var whole = TensorAssert.Values(BernoulliDrop.Mask(torch.zeros(n), density, generator)!.to(torch.ScalarType.Float32));
        ulong key = CounterRandom.StreamKey(11, 0);
        // One element at a time (chunk size 1) and in chunks of 7 elements, each element from its own index only.
        for (int i = 0; i < n; i++)
            Assert.Equal(ReferenceKeep(key, i, density) ? 1f : 0f, whole[i]);
        for (int start = 0; start < n; start += 7)
        {
            int end = Math.Min(n, start + 7);
            for (int i = start; i < end; i++)
                Assert.Equal(ReferenceKeep(key, i, density) ? 1f : 0f, whole[i]);
        }
    }

    [Theory]
    [InlineData("dare_ties")]
    [InlineData("dare_linear")]
    [InlineData("della")]
    [InlineData("della_linear")]
    public void The_merge_does_not_depend_on_the_thread_count(string method)
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(21, torch.CPU);
        var b = Tensors.Random(generator, 300, 700);
        var x1 = Tensors.Random(generator, 300, 700);
        var x2 = Tensors.Random(generator, 300, 700);
        torch.Tensor Merge()
        {
            var merge = MergeCase.For(method).Base(b).Model(x1, ("weight", 0.6), ("density", 0.4)).Model(x2, ("weight", 0.5), ("density", 0.6));
            merge.Random = new torch.Generator(5, torch.CPU);
            return merge.Merge();
        }
        int threads = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            var single = Merge();
            torch.set_num_threads(4);
            TensorAssert.Equal(single, Merge());
        }
        finally
        {
            torch.set_num_threads(threads);
        }
    }

    [Fact]
    public void Each_model_draws_from_its_own_stream()
    {
        using var scope = torch.NewDisposeScope();
        var b = torch.zeros(10_000);
        var x = torch.ones(10_000);
        var merge = MergeCase.For("dare_linear").Base(b).Model(x, ("weight", 1), ("density", 0.5)).Model(x, ("weight", 1), ("density", 0.5));
        merge.Random = new torch.Generator(3, torch.CPU);
        var context = merge.Build();
        var first = TensorAssert.Values(BernoulliDrop.Instance.KeepMask(x, context.Models[0], context)!.to(torch.ScalarType.Float32));
        var second = TensorAssert.Values(BernoulliDrop.Instance.KeepMask(x, context.Models[1], context)!.to(torch.ScalarType.Float32));
        ulong key0 = CounterRandom.StreamKey(3, 0), key1 = CounterRandom.StreamKey(3, 1);
        for (int i = 0; i < first.Length; i++)
        {
            Assert.Equal(ReferenceKeep(key0, i, 0.5) ? 1f : 0f, first[i]);
            Assert.Equal(ReferenceKeep(key1, i, 0.5) ? 1f : 0f, second[i]);
        }
        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData(0.05)]
    [InlineData(0.5)]
    [InlineData(0.93)]
    public void The_kept_fraction_of_a_large_tensor_is_within_binomial_tolerance(double density)
    {
        using var scope = torch.NewDisposeScope();
        const long n = 4_000_000;
        var mask = BernoulliDrop.Mask(torch.zeros(n), density, new torch.Generator(17, torch.CPU))!;
        long kept = mask.count_nonzero().ToInt64();
        double sigma = Math.Sqrt(n * density * (1 - density));
        Assert.InRange(kept, n * density - 4 * sigma, n * density + 4 * sigma);
    }

    [Fact]
    public void Over_many_seeds_the_rescaled_dare_merge_averages_to_the_undropped_merge()
    {
        using var scope = torch.NewDisposeScope();
        const int n = 400, seeds = 400;
        const double density = 0.5, weight = 0.8;
        var generator = new torch.Generator(4, torch.CPU);
        var b = Tensors.Random(generator, n);
        var x = Tensors.Random(generator, n);
        var sum = new double[n];
        for (int seed = 0; seed < seeds; seed++)
        {
            using var inner = torch.NewDisposeScope();
            var merge = MergeCase.For("dare_linear").Base(b).Model(x, ("weight", weight), ("density", density));
            merge.Random = new torch.Generator((ulong)seed, torch.CPU);
            var values = TensorAssert.Values(merge.Merge());
            for (int i = 0; i < n; i++) sum[i] += values[i];
        }
        var baseValues = TensorAssert.Values(b);
        var delta = TensorAssert.Values(x - b);
        for (int i = 0; i < n; i++)
        {
            // Each draw is b + w·δ·m/p (the L1 ratio is ≈ 1/p on 400 elements): variance (w·δ)²·(1 − p)/p per draw.
            double expected = baseValues[i] + weight * delta[i];
            double sigma = Math.Abs(weight * delta[i]) * Math.Sqrt((1 - density) / density / seeds);
            Assert.InRange(sum[i] / seeds, expected - 5 * sigma - 0.02, expected + 5 * sigma + 0.02);
        }
    }

    [Fact]
    public void The_l1_rescale_matches_mergekits_rescaled_masked_tensor_on_a_hand_example()
    {
        using var scope = torch.NewDisposeScope();
        // mergekit: masked = x·mask = [1, 0, 3, 0]; before = 10, after = 4; masked·(10/4) = [2.5, 0, 7.5, 0].
        var x = Tensors.Of(1, -2, 3, -4);
        MaskedL1Norms.ApplyInPlace(x, torch.tensor(new[] { true, false, true, false }), rescale: true);
        TensorAssert.Close([2.5f, 0, 7.5f, 0], x);
        var y = Tensors.Of(1, -2, 3, -4);
        MaskedL1Norms.ApplyInPlace(y, torch.tensor(new[] { true, false, true, false }), rescale: false);
        TensorAssert.Close([1, 0, 3, 0], y);
        // Norms below 1e-7 are not rescaled.
        var tiny = Tensors.Of(1e-9f, 1e-9f);
        MaskedL1Norms.ApplyInPlace(tiny, torch.tensor(new[] { true, false }), rescale: true);
        Assert.Equal([1e-9f, 0f], TensorAssert.Values(tiny));
    }

    [Fact]
    public void A_della_mask_keeps_each_rank_by_its_probability_from_the_elements_own_draw()
    {
        using var scope = torch.NewDisposeScope();
        const double density = 0.4, epsilon = 0.15;
        // Ties in magnitude (3 and -3, 0.5 twice) rank by index; 7 rows of 9.
        float[] row = [3, -0.5f, 8, -3, 0.5f, 1, -9, 2, 0];
        var x = torch.stack(Enumerable.Range(0, 7).Select(r => Tensors.Of(row.Select(v => v * (r + 1)).ToArray())).ToArray());
        var mask = TensorAssert.Values(DellaMagnitudePrune.Mask(x, density, epsilon, new torch.Generator(23, torch.CPU))!.to(torch.ScalarType.Float32));
        ulong key = CounterRandom.StreamKey(23, 0);
        var byRank = row.Select((v, i) => (Magnitude: Math.Abs(v), Index: i)).OrderByDescending(e => e.Magnitude).Select(e => e.Index).ToArray();
        for (int r = 0; r < 7; r++)
        {
            for (int p = 0; p < row.Length; p++)
            {
                int c = byRank[p];
                // mergekit: probs = (density − epsilon) + rank_norm·2·epsilon, rank_norm 1 for the largest magnitude.
                double rankNorm = (row.Length - 1 - p) / (double)(row.Length - 1);
                double probability = density - epsilon + rankNorm * 2 * epsilon;
                double u = (ReferenceBits(key, r * row.Length + c) >> 8) / 16777216.0;
                if (Math.Abs(u - probability) < 1e-6) continue;
                Assert.Equal(u < probability ? 1f : 0f, mask[r * row.Length + c]);
            }
        }
    }

    [Theory]
    [InlineData(0.4, 0.15)]
    [InlineData(0.4, -0.1)]
    [InlineData(0.3, 0.0)]
    public void A_della_mask_of_long_rows_with_ties_and_equal_rows_matches_a_full_stable_ranking(double density, double epsilon)
    {
        using var scope = torch.NewDisposeScope();
        const int n = 2048;
        var random = new torch.Generator(57, torch.CPU);
        var gaussian = torch.randn([3, n], generator: random);
        // bf16-rounded values repeat magnitudes across and within buckets; one row of zeros, one constant, one half zeros.
        var rounded = torch.randn([3, n], generator: random).mul(1e-3).to(torch.ScalarType.BFloat16).to(torch.ScalarType.Float32);
        var halfZero = torch.cat([torch.zeros(n / 2), torch.randn([n / 2], generator: random)]).unsqueeze(0);
        var x = torch.cat([gaussian, rounded, torch.zeros(1, n), torch.full(1, n, 0.5f), halfZero]);
        var mask = TensorAssert.Values(DellaMagnitudePrune.Mask(x, density, epsilon, new torch.Generator(5, torch.CPU))!.to(torch.ScalarType.Float32));
        var values = TensorAssert.Values(x);
        ulong key = CounterRandom.StreamKey(5, 0);
        long rows = x.shape[0];
        for (int r = 0; r < rows; r++)
        {
            // Descending magnitude, equal magnitudes by column (LINQ's ordering is stable).
            var byRank = Enumerable.Range(0, n).OrderByDescending(c => Math.Abs(values[r * n + c])).ToArray();
            for (int p = 0; p < n; p++)
            {
                int c = byRank[p];
                // The documented float32 keep probability, compared with the element's 24-bit draw.
                float probability = (float)(density + epsilon - p * (2 * epsilon / (n - 1)));
                float draw = ReferenceBits(key, (long)r * n + c) >> 8;
                Assert.True((draw < probability * 16777216f ? 1f : 0f) == mask[r * n + c], $"row {r}, rank {p}, column {c}");
            }
        }
    }

    [Fact]
    public void A_della_mask_of_three_dimensions_ranks_along_dimension_one()
    {
        using var scope = torch.NewDisposeScope();
        var x = Tensors.Random(new torch.Generator(31, torch.CPU), 3, 50, 4);
        var mask = DellaMagnitudePrune.Mask(x, 0.5, 0.2, new torch.Generator(8, torch.CPU))!;
        Assert.Equal(x.shape, mask.shape);
        // The same values laid out with dimension 1 last, as a 2-D tensor of rows, give the moved mask.
        var rows = x.movedim([1L], [-1L]).contiguous();
        var expected = DellaMagnitudePrune.Mask(rows.reshape(-1, 50), 0.5, 0.2, new torch.Generator(8, torch.CPU))!.reshape(rows.shape).movedim([-1L], [1L]);
        TensorAssert.Equal(expected.to(torch.ScalarType.Float32), mask.to(torch.ScalarType.Float32));
    }

    [Fact]
    public void A_della_mask_keeps_density_of_a_long_row_within_binomial_tolerance()
    {
        using var scope = torch.NewDisposeScope();
        const int n = 1_000_000;
        var x = Tensors.Random(new torch.Generator(41, torch.CPU), n);
        long kept = DellaMagnitudePrune.Mask(x, 0.3, 0.1, new torch.Generator(2, torch.CPU))!.count_nonzero().ToInt64();
        // Σ p_i = n·density; the variance Σ p_i(1 − p_i) is below n/4.
        Assert.InRange(kept, 0.3 * n - 4 * Math.Sqrt(n / 4.0), 0.3 * n + 4 * Math.Sqrt(n / 4.0));
    }

    [Fact]
    public void Dares_fused_path_holds_no_mask_and_its_draws_and_l1_norms_equal_the_mask_and_the_separate_norm_pass()
    {
        using var scope = torch.NewDisposeScope();
        // Three whole chunks of 65 536 and a tail that is not a multiple of any vector width.
        const long n = 3 * 65_536 + 77;
        const double density = 0.41;
        var generator = new torch.Generator(23, torch.CPU);
        var b = torch.randn(n, generator: generator);
        using var spread = 0.01.ToScalar();
        var x = b.add(torch.randn(n, generator: generator).mul(spread), ScalarConstants.One);
        var recipe = MergeCase.For("dare_ties").Base(b).Model(x, ("weight", 1.0), ("density", density));
        recipe.Random = new torch.Generator(7, torch.CPU);
        var context = recipe.Build();
        var source = new TaskVectorMagnitudes.Source(MaskedL1Norms.Address(x), MaskedL1Norms.Address(b), n);
        IElementDropSparsifier drop = BernoulliDrop.Instance;
        var (mask, draws, norms) = drop.Keep(source, n, context.Models[0], context, norms: true);
        Assert.Null(mask);
        Assert.NotNull(draws);
        // Each decision is the documented draw of the element (this test's own hash), as is the stored mask's.
        ulong key = CounterRandom.StreamKey(7, 0);
        var stored = BernoulliDrop.Mask(torch.zeros(n), density, new torch.Generator(7, torch.CPU))!;
        var kept = TensorAssert.Values(stored.to(torch.ScalarType.Float32));
        for (long i = 0; i < n; i++)
        {
            Assert.Equal(ReferenceKeep(key, i, density), draws!.Value.Keeps(i));
            Assert.Equal(ReferenceKeep(key, i, density) ? 1f : 0f, kept[i]);
        }
        // The norms are the separate pass's over the stored mask to the last bit, and agree with a plain float64 sum.
        var separate = MaskedL1Norms.Of(source, MaskedL1Norms.Address(stored));
        Assert.Equal(separate.Whole, norms!.Value.Whole);
        Assert.Equal(separate.Kept, norms.Value.Kept);
        var xs = TensorAssert.Values(x);
        var bs = TensorAssert.Values(b);
        double whole = 0, keptSum = 0;
        for (long i = 0; i < n; i++)
        {
            double d = Math.Abs(xs[i] - bs[i]);
            whole += d;
            if (kept[i] != 0) keptSum += d;
        }
        Assert.Equal(whole, norms.Value.Whole, whole * 1e-12);
        Assert.Equal(keptSum, norms.Value.Kept, keptSum * 1e-12);
        // Without the rescale no norms are taken; the draws are the same.
        var (alone, sameDraws, none) = drop.Keep(source, n, context.Models[0], context, norms: false);
        Assert.Null(alone);
        Assert.Null(none);
        Assert.Equal(draws, sameDraws);
    }
    [Theory]
    [InlineData(77, 2_003)]
    [InlineData(256, 1_500)]
    [InlineData(5_632, 30)]
    public void Dellas_fused_path_holds_its_mask_as_bits_equal_to_the_byte_mask_and_its_norms_to_the_byte_masks(int rowLength, int rows)
    {
        using var scope = torch.NewDisposeScope();
        // Rows of 77 (not a multiple of 8 or 64, so rows share packed words; whole norm chunks would take 65536 rows, so
        // the norms are a pass of their own), of 256 (tiling the norm chunks; the last chunk partial) or of 5632 (128 rows
        // are 11 whole chunks; each chunk's norms taken when its last row is decided), and
        // equal magnitudes (a quantised task vector) so some rows take the sorted fallback.
        long n = (long)rowLength * rows;
        var generator = new torch.Generator(31, torch.CPU);
        var b = torch.randn(n, generator: generator);
        using var spread = 0.01.ToScalar();
        var delta = torch.randn(n, generator: generator).mul(spread);
        using var step = 0.004.ToScalar();
        delta[torch.TensorIndex.Slice(0, n / 3)] = delta[torch.TensorIndex.Slice(0, n / 3)].div(step).round().mul(step);
        var x = b.add(delta, ScalarConstants.One);
        var recipe = MergeCase.For("della").Base(b.view(rows, rowLength)).Model(x.view(rows, rowLength), ("weight", 1.0), ("density", 0.4), ("epsilon", 0.2));
        recipe.Random = new torch.Generator(11, torch.CPU);
        var context = recipe.Build();
        var source = new TaskVectorMagnitudes.Source(MaskedL1Norms.Address(x), MaskedL1Norms.Address(b), n);
        IElementDropSparsifier drop = DellaMagnitudePrune.Instance;
        var (bits, draws, norms) = drop.Keep(source, rowLength, context.Models[0], context, norms: true);
        Assert.Null(draws);
        var stored = DellaMagnitudePrune.Mask(x.sub(b).view(rows, rowLength), 0.4, 0.2, new torch.Generator(11, torch.CPU))!.contiguous();
        var kept = TensorAssert.Values(stored.to(torch.ScalarType.Float32).flatten());
        var packed = bits!.data<byte>().ToArray();
        Assert.True(packed.Length >= (n + 7) / 8);
        for (long i = 0; i < n; i++)
            Assert.True(kept[i] == ((packed[i >> 3] >> (int)(i & 7)) & 1), $"element {i}");
        for (long i = n; i < packed.Length * 8L; i++)
            Assert.Equal(0, (packed[i >> 3] >> (int)(i & 7)) & 1);
        var separate = MaskedL1Norms.Of(source, MaskedL1Norms.Address(stored));
        Assert.Equal(separate.Whole, norms!.Value.Whole);
        Assert.Equal(separate.Kept, norms.Value.Kept);
    }
}
