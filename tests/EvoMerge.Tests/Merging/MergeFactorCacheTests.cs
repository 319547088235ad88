using EvoMerge.Merging;
using EvoMerge.Tests.Merging.Methods;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging;

/// <summary>
/// The per-search cache of source-only intermediates: least-recently-used eviction within a byte budget, and the
/// subspace methods' results bit-identical with and without it, cold and warm, and under a budget that evicts.
/// </summary>
public sealed class MergeFactorCacheTests
{
    private const string Up0 = "model.layers.0.mlp.up_proj.weight";
    private const string Up1 = "model.layers.1.mlp.up_proj.weight";
    private const string Down0 = "model.layers.0.mlp.down_proj.weight";

    [Fact]
    public void The_least_recently_used_entry_goes_first_and_an_entry_over_the_budget_is_not_kept()
    {
        using var cache = new MergeFactorCache(100);
        int computed = 0;
        byte[] Make(int size)
        {
            computed++;
            return new byte[size];
        }
        var a = cache.Value("a", () => Make(40), v => v.Length);
        cache.Value("b", () => Make(40), v => v.Length);
        Assert.Same(a, cache.Value("a", () => Make(40), v => v.Length)); // a is now the most recent
        cache.Value("c", () => Make(40), v => v.Length); // 120 > 100: b (least recent) goes
        Assert.Equal(3, computed);
        Assert.Equal(1, cache.Evictions);
        Assert.Equal(80, cache.HeldBytes);
        Assert.Same(a, cache.Value("a", () => Make(40), v => v.Length));
        cache.Value("b", () => Make(40), v => v.Length);
        Assert.Equal(4, computed);
        cache.Value("huge", () => Make(101), v => v.Length);
        cache.Value("huge", () => Make(101), v => v.Length);
        Assert.Equal(6, computed);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Statistics_count_hits_misses_evictions_entries_and_bytes_held()
    {
        using var cache = new MergeFactorCache(100);
        Assert.Equal(new MergeFactorCacheStatistics(0, 0, 0, 0, 0, 100), cache.Statistics());
        cache.Value("a", () => new byte[40], v => v.Length); // miss
        cache.Value("a", () => new byte[40], v => v.Length); // hit
        cache.Value("b", () => new byte[50], v => v.Length); // miss
        cache.Value("c", () => new byte[30], v => v.Length); // miss; 120 > 100 evicts a
        cache.Value("b", () => new byte[50], v => v.Length); // hit
        cache.Value("huge", () => new byte[101], v => v.Length); // miss, not kept
        var statistics = cache.Statistics();
        Assert.Equal(new MergeFactorCacheStatistics(Hits: 2, Misses: 4, Evictions: 1, Entries: 2, HeldBytes: 80, BudgetBytes: 100), statistics);
        Assert.Equal("merge factor cache: 2 hits, 4 misses, 1 evictions, 2 entries, 0.0 MiB held of 0 MiB", statistics.ToString());
        Assert.Equal("merge factor cache: 0 hits, 0 misses, 0 evictions, 0 entries, 1.5 MiB held of 4096 MiB",
            new MergeFactorCacheStatistics(0, 0, 0, 0, 3L << 19, 4096L << 20).ToString());
    }

    [Theory]
    [InlineData(12, 8)]
    [InlineData(8, 12)]
    public void A_later_iso_cts_candidate_with_another_task_specific_count_reuses_the_sum_svd_and_every_task_frame(int rows, int cols)
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(5, torch.CPU);
        var b = torch.randn([rows, cols], generator: g);
        using var cache = new MergeFactorCache(1L << 30);
        torch.Tensor Merge(double fraction)
        {
            var merge = MergeCase.For("iso_cts").Base(b);
            for (int t = 0; t < 3; t++) merge.Model(b + torch.randn([rows, cols], generator: new torch.Generator((ulong)(10 + t), torch.CPU)).mul(0.1));
            merge.Global(("common_space_fraction", fraction));
            merge.TensorName = Up0;
            merge.Factors = cache;
            return merge.Merge();
        }

        Merge(0.6); // r = 8: one direction per task; computes ΔW, the sum's SVD and three task frames
        Assert.Equal(new MergeFactorCacheStatistics(0, 5, 0, 5, cache.HeldBytes, 1L << 30), cache.Statistics());
        Merge(0.3); // two per task: a new ΔW; the sum's SVD and the frames come from the cache
        Assert.Equal((4L, 6L), (cache.Statistics().Hits, cache.Statistics().Misses));
        Merge(0.3); // the same count: ΔW itself
        Assert.Equal((5L, 6L), (cache.Statistics().Hits, cache.Statistics().Misses));
    }

    [Fact]
    public void Cached_tensors_survive_their_eviction_while_the_caller_holds_them()
    {
        using var scope = torch.NewDisposeScope();
        using var cache = new MergeFactorCache(2 * 16 * 8);
        var first = cache.Tensors("a", () => [torch.arange(16, dtype: torch.ScalarType.Float64)])[0];
        var again = cache.Tensors("a", () => throw new InvalidOperationException("a is cached"))[0];
        cache.Tensors("b", () => [torch.zeros(16, dtype: torch.ScalarType.Float64)]);
        cache.Tensors("c", () => [torch.zeros(16, dtype: torch.ScalarType.Float64)]); // evicts a
        Assert.Equal(1, cache.Evictions);
        Assert.Equal(120.0, again.sum().ToDouble());
        Assert.True(first.equal(again).all().item<bool>());
    }

    [Theory]
    [InlineData("tsv")]
    [InlineData("iso_c")]
    [InlineData("iso_cts")]
    [InlineData("esm")]
    public void A_subspace_merge_is_bit_identical_with_and_without_the_cache_cold_warm_and_evicting(string method)
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(17, torch.CPU);
        // Two tall tensors and a wide one (iso_cts's task frames differ: a residual outside the sum's span, or none).
        var layers = new[] { (Up0, 12L, 8L), (Up1, 12L, 8L), (Down0, 8L, 12L) }.Select(layer => (Name: layer.Item1,
            Base: torch.randn([layer.Item2, layer.Item3], generator: g), A: torch.randn([layer.Item2, layer.Item3], generator: g).mul(0.1),
            B: torch.randn([layer.Item2, layer.Item3], generator: g).mul(0.1), C: torch.randn([layer.Item2, layer.Item3], generator: g).mul(0.1))).ToList();
        var moments = new Dictionary<long, torch.Tensor> { [8] = torch.eye(8).add(torch.ones([8, 8]).mul(0.2)), [12] = torch.eye(12).add(torch.ones([12, 12]).mul(0.1)) };
        torch.Tensor Merge((string Name, torch.Tensor Base, torch.Tensor A, torch.Tensor B, torch.Tensor C) layer, MergeFactorCache? cache, double knob)
        {
            var merge = MergeCase.For(method).Base(layer.Base).Model(layer.Base + layer.A).Model(layer.Base + layer.B).Model(layer.Base + layer.C);
            if (method == "iso_cts") merge.Global(("common_space_fraction", knob));
            if (method == "esm") merge.Global(("scaling_power", knob * 2));
            merge.TensorName = layer.Name;
            merge.ProxyInputs = _ => moments[layer.Base.shape[1]];
            merge.Factors = cache;
            return merge.Merge();
        }

        // iso_cts on r = 8, T = 3: 0.6 keeps one task-specific direction per task, 0.9 none, 0.3 two.
        var knobs = new[] { 0.6, 0.9, 0.3, 0.6 };
        var expected = knobs.Select(k => layers.Select(l => Merge(l, null, k)).ToList()).ToList();
        using var roomy = new MergeFactorCache(1L << 30);
        // A budget that holds one merged update (12 × 8 float32): every other lookup evicts.
        using var tight = new MergeFactorCache(12 * 8 * 4);
        foreach (var cache in new[] { roomy, tight })
        {
            for (int round = 0; round < 2; round++)
            {
                for (int k = 0; k < knobs.Length; k++)
                    for (int l = 0; l < layers.Count; l++)
                        Assert.True(expected[k][l].equal(Merge(layers[l], cache, knobs[k])).all().item<bool>(),
                            $"{method}: layer {l}, knob {knobs[k]}, round {round}, budget {cache.BudgetBytes}");
            }
        }
        Assert.True(roomy.Hits > 0, $"{method}: the roomy cache answered nothing");
        Assert.True(tight.Evictions > 0, $"{method}: the tight cache evicted nothing");
    }
}
