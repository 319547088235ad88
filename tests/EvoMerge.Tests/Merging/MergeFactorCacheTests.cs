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
        var layers = new[] { Up0, Up1 }.Select(name => (Name: name,
            Base: torch.randn([12, 8], generator: g), A: torch.randn([12, 8], generator: g).mul(0.1), B: torch.randn([12, 8], generator: g).mul(0.1),
            C: torch.randn([12, 8], generator: g).mul(0.1))).ToList();
        var moment = torch.eye(8).add(torch.ones([8, 8]).mul(0.2));
        torch.Tensor Merge((string Name, torch.Tensor Base, torch.Tensor A, torch.Tensor B, torch.Tensor C) layer, MergeFactorCache? cache, double knob)
        {
            var merge = MergeCase.For(method).Base(layer.Base).Model(layer.Base + layer.A).Model(layer.Base + layer.B).Model(layer.Base + layer.C);
            if (method == "iso_cts") merge.Global(("common_space_fraction", knob));
            if (method == "esm") merge.Global(("scaling_power", knob * 2));
            merge.TensorName = layer.Name;
            merge.ProxyInputs = _ => moment;
            merge.Factors = cache;
            return merge.Merge();
        }

        var knobs = new[] { 0.6, 0.9, 0.6 };
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
