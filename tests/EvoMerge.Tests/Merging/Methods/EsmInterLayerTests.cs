using EvoMerge.Merging;
using EvoMerge.Merging.Execution;
using EvoMerge.Tensors;
using EvoMerge.Tests.Merging.Execution;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>
/// esm's third level (the paper's β_l): each 2-D tensor's merged update ΔW_l times (n_l / mean n)^p, n_l = ‖ΔW_l‖_F
/// of that tensor's merged update before the factor and the mean over the same tensor in every layer.
/// </summary>
public sealed class EsmInterLayerTests
{
    private const string Layer0 = "model.layers.0.mlp.up_proj.weight";
    private const string Layer1 = "model.layers.1.mlp.up_proj.weight";

    [Fact]
    public void Each_layer_is_scaled_by_its_squared_norm_relative_to_the_mean_over_its_kind()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(91, torch.CPU);
        var b = torch.randn([6, 4], dtype: torch.ScalarType.Float64, generator: g);
        var d1 = torch.randn([6, 4], dtype: torch.ScalarType.Float64, generator: g);
        var d2 = torch.randn([6, 4], dtype: torch.ScalarType.Float64, generator: g);
        var moment = torch.eye(4).add(torch.ones([4, 4]).mul(0.3));
        MergeCase Case(string name, double factor, LayerStatistics? statistics, double power = 2.0)
        {
            var merge = MergeCase.For("esm").Base(b).Model(b + d1 * factor).Model(b + d2 * factor).Global(("scaling_power", power));
            merge.TensorName = name;
            merge.ProxyInputs = _ => moment;
            merge.LayerStatistics = statistics;
            return merge;
        }

        // Layer 1's updates are layer 0's doubled: statistics n and 2n (n = the norm of layer 0's merged update).
        var esm = (IInterLayerMergeMethod)MergeMethodRegistry.Default.Get("esm");
        double n0 = esm.TensorStatistic(Case(Layer0, 1.0, null).Build())!.Value;
        double n1 = esm.TensorStatistic(Case(Layer1, 2.0, null).Build())!.Value;
        Assert.Equal((Case(Layer0, 1.0, null).Merge() - b).norm().ToDouble(), n0, 10);
        Assert.Equal(2 * n0, n1, 10);

        // Mean 1.5n: factors (1/1.5)² = 4/9 and (2/1.5)² = 16/9. Another kind does not enter the mean.
        var statistics = new LayerStatistics([(Layer0, "up_proj", n0), (Layer1, "up_proj", n1), ("model.layers.0.mlp.down_proj.weight", "down_proj", 100.0)]);
        var plain = Case(Layer0, 1.0, null).Merge() - b;
        var first = Case(Layer0, 1.0, statistics).Merge() - b;
        var second = Case(Layer1, 2.0, statistics).Merge() - b;
        TensorAssert.Close(plain * (4.0 / 9), first, 1e-10);
        // esm is homogeneous in the updates (×2) and the factors differ by 4: the scaled updates differ by 8.
        TensorAssert.Close(first * 8.0, second, 1e-10);
        // p = 0 switches every level off.
        TensorAssert.Close(Case(Layer0, 1.0, null, 0.0).Merge(), Case(Layer0, 1.0, statistics, 0.0).Merge(), 1e-12);
    }

    /// <summary>
    /// Worked by hand (B = 0, G = I, p = 2, two tasks, 2 × 2 updates). Layer 0: Δ_a = e1e1ᵀ, Δ_b = e2e2ᵀ. Each task's
    /// essential basis is its own axis (k = 1), rows [1, 0] and [0, 1]; equal task norms and equal column norms make
    /// both scaling levels 1, so ΔW_0 = I and ‖ΔW_0‖_F = √2. Layer 1: Δ_a = Δ_b = e1e1ᵀ. Both bases are e1 and both
    /// rows [1, 0]; the stacked rows' column norms are √2 and 0 (mean √2/2), so the first column is multiplied by
    /// (√2 / (√2/2))² = 4: s = (4, 4). The polar factor of [e1, e1] is [[1, 1], [0, 0]]/√2 and that of the unit rows
    /// [[1, 0], [1, 0]]/√2, so ΔW_1 = 4·e1e1ᵀ and ‖ΔW_1‖_F = 4. The mean over the kind is m = (√2 + 4)/2, so
    /// β_0 = (√2/m)² = 8/(18 + 8√2) and β_1 = (4/m)² = 64/(18 + 8√2). A mean of task-update norms (1 in both layers)
    /// would give β = 1 to both.
    /// </summary>
    [Fact]
    public void The_factor_compares_the_norms_of_the_merged_updates_as_worked_by_hand()
    {
        using var scope = torch.NewDisposeScope();
        var zero = torch.zeros([2, 2], dtype: torch.ScalarType.Float64);
        var e11 = torch.tensor(new double[] { 1, 0, 0, 0 }, [2, 2], torch.ScalarType.Float64);
        var e22 = torch.tensor(new double[] { 0, 0, 0, 1 }, [2, 2], torch.ScalarType.Float64);
        var identity = torch.eye(2, dtype: torch.ScalarType.Float64);
        MergeCase Case(string name, torch.Tensor a, torch.Tensor b, LayerStatistics? statistics)
        {
            var merge = MergeCase.For("esm").Base(zero).Model(a).Model(b).Global(("scaling_power", 2.0));
            merge.TensorName = name;
            merge.ProxyInputs = _ => identity;
            merge.LayerStatistics = statistics;
            return merge;
        }

        var esm = (IInterLayerMergeMethod)MergeMethodRegistry.Default.Get("esm");
        double n0 = esm.TensorStatistic(Case(Layer0, e11, e22, null).Build())!.Value;
        double n1 = esm.TensorStatistic(Case(Layer1, e11, e11, null).Build())!.Value;
        Assert.Equal(Math.Sqrt(2), n0, 12);
        Assert.Equal(4.0, n1, 12);

        var statistics = new LayerStatistics([(Layer0, "up_proj", n0), (Layer1, "up_proj", n1)]);
        double denominator = 18 + 8 * Math.Sqrt(2);
        TensorAssert.Close(identity * (8 / denominator), Case(Layer0, e11, e22, statistics).Merge(), 1e-12);
        TensorAssert.Close(e11 * (4 * 64 / denominator), Case(Layer1, e11, e11, statistics).Merge(), 1e-12);
    }

    [Fact]
    public void The_executor_runs_the_pre_pass_so_a_layer_with_doubled_updates_gets_eight_times_the_update()
    {
        using var scope = torch.NewDisposeScope();
        using var ws = new RecipeWorkspace();
        using var plan = DoubledLayerPlan(ws);
        using var sink = new InMemoryTensorSink();
        using var moments = new IdentityMoments();
        using var executor = new MergeExecutor(plan, new MergeExecutionOptions { ProxyActivations = moments });
        executor.Run(sink);

        var baseUp0 = ws.Load("base", Layer0);
        var baseUp1 = ws.Load("base", Layer1);
        var first = sink.Tensors[Layer0] - baseUp0;
        var second = sink.Tensors[Layer1] - baseUp1;
        Assert.True(first.norm().ToDouble() > 1e-4);
        // Relative norms 2/3 and 4/3 squared (ratio 4) times the doubled update (ratio 2). float32 throughout.
        TensorAssert.Close(first * 8.0, second, 2e-6);
    }

    /// <summary>
    /// <c>evomerge merge</c>'s executor keeps the planning pass's merged updates (its own factor cache), so the writing
    /// pass merges no 2-D tensor again: esm asks for each tensor's proxy moments once per model (twice without the
    /// cache; an embedding, which esm merges by TSV-M, once and twice), and the merged model is bit-identical either way.
    /// </summary>
    [Fact]
    public void The_writing_pass_reuses_the_planning_pass_merged_updates_with_bit_identical_results()
    {
        using var scope = torch.NewDisposeScope();
        using var ws = new RecipeWorkspace();
        using var plan = DoubledLayerPlan(ws);
        var merged = new Dictionary<long, (InMemoryTensorSink Sink, IdentityMoments Moments)>();
        foreach (long budget in new[] { 0L, new MergeExecutionOptions().PlanningCacheBytes })
        {
            var sink = new InMemoryTensorSink();
            var moments = new IdentityMoments();
            using var executor = new MergeExecutor(plan, new MergeExecutionOptions { ProxyActivations = moments, PlanningCacheBytes = budget });
            executor.Run(sink);
            merged[budget] = (sink, moments);
        }
        var (uncached, twice) = merged[0];
        var (cached, once) = merged[new MergeExecutionOptions().PlanningCacheBytes];
        Assert.NotEmpty(once.Calls);
        Assert.Equal(once.Calls.Keys.Order(), twice.Calls.Keys.Order());
        Assert.Equal(2, once.Calls[Layer0]);
        Assert.All(once.Calls, call => Assert.Equal(2 * call.Value, twice.Calls[call.Key]));
        Assert.Equal(uncached.Tensors.Keys.Order(), cached.Tensors.Keys.Order());
        foreach (var (name, tensor) in uncached.Tensors)
            Assert.True(tensor.eq(cached.Tensors[name]).all().item<bool>(), $"{name} differs with the planning cache");
        foreach (var (sink, moments) in merged.Values)
        {
            sink.Dispose();
            moments.Dispose();
        }
    }

    /// <summary>A 2-layer base and two models whose update of each tensor is the same N(0, 0.01²) draw in both layers, doubled in layer 1.</summary>
    private static MergePlan DoubledLayerPlan(RecipeWorkspace ws)
    {
        var spec = RecipeWorkspace.Spec(2);
        ws.Model("base", spec, 1);
        foreach (var (name, seed) in new[] { ("a", 2L), ("b", 3L) })
        {
            ws.Model(name, spec, 1, weights =>
            {
                using var generator = new torch.Generator((ulong)seed);
                var updates = new Dictionary<string, torch.Tensor>(StringComparer.Ordinal);
                for (int i = 0; i < weights.Count; i++)
                {
                    var (n, t) = weights[i];
                    var role = DecoderLayout.Classify(n);
                    string key = role.Group == TensorGroup.Layer ? role.LocalName : n;
                    if (!updates.TryGetValue(key, out var update))
                    {
                        update = torch.randn(t.shape, generator: generator).mul(0.01).DetachFromDisposeScope();
                        updates[key] = update;
                    }
                    t.add_(role.Layer == 1 ? update.mul(2.0) : update);
                }
                foreach (var update in updates.Values) update.Dispose();
            });
        }
        File.WriteAllText(Path.Combine(ws.Root, "proxy.yml"), "# never read: the test supplies the proxy moments\n");
        return ws.Plan("""
            merge_method: esm
            base_model: base
            dtype: float32
            models:
              - model: a
              - model: b
            proxy_tasks:
              a: proxy.yml
              b: proxy.yml
            """);
    }

    /// <summary>Identity second moments for every linear weight (what esm sees when the inputs are white).</summary>
    private sealed class IdentityMoments : IProxyActivations, IDisposable
    {
        private readonly Dictionary<long, torch.Tensor> _identities = [];

        /// <summary>Calls per base tensor name.</summary>
        public Dictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

        public torch.Tensor? InputSecondMoment(string modelPath, string baseTensorName)
        {
            Calls[baseTensorName] = Calls.GetValueOrDefault(baseTensorName) + 1;
            if (DecoderLayout.Classify(baseTensorName).IsEmbedding) return null;
            using var weights = ModelWeights.Open(modelPath);
            long inputs = weights.Info(baseTensorName).Shape[1];
            if (!_identities.TryGetValue(inputs, out var identity))
            {
                identity = torch.eye(inputs).DetachFromDisposeScope();
                _identities[inputs] = identity;
            }
            return identity;
        }

        public void Dispose()
        {
            foreach (var identity in _identities.Values) identity.Dispose();
        }
    }
}
