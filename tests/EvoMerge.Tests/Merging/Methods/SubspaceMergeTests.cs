using EvoMerge.Merging;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>tsv, iso_c, iso_cts and esm on small matrices whose singular structure is known by construction.</summary>
public sealed class SubspaceMergeTests
{
    /// <summary>An orthogonal [n, n] matrix from the QR factorisation of a seeded Gaussian matrix.</summary>
    private static torch.Tensor Orthogonal(long n, long seed, torch.ScalarType dtype = torch.ScalarType.Float64)
    {
        var generator = new torch.Generator((ulong)seed, torch.CPU);
        var (q, _) = torch.linalg.qr(torch.randn([n, n], dtype: torch.ScalarType.Float64, generator: generator));
        return q.to_type(dtype);
    }

    /// <summary>Σ σ_i u_i v_iᵀ over the given columns of <paramref name="u"/> and <paramref name="v"/>.</summary>
    private static torch.Tensor Update(torch.Tensor u, torch.Tensor v, long start, params double[] sigma)
    {
        var s = torch.tensor(sigma, dtype: u.dtype);
        return u.narrow(1, start, sigma.Length).mul(s.unsqueeze(0)).matmul(v.narrow(1, start, sigma.Length).t());
    }

    private static MergeCase Case(string method, torch.Tensor b, params torch.Tensor[] deltas)
    {
        var merge = MergeCase.For(method).Base(b);
        foreach (var d in deltas) merge.Model(b + d);
        return merge;
    }

    private static double[] SingularValues(torch.Tensor a) => torch.linalg.svdvals(a.to_type(torch.ScalarType.Float64)).data<double>().ToArray();

    [Fact]
    public void Tsv_returns_the_exact_sum_of_updates_with_mutually_orthogonal_singular_vectors()
    {
        using var scope = torch.NewDisposeScope();
        var u = Orthogonal(8, 1);
        var v = Orthogonal(8, 2);
        var first = Update(u, v, 0, 4, 3, 2, 1);
        var second = Update(u, v, 4, 6, 2.5, 1.5, 0.5);
        var b = torch.randn([8, 8], dtype: torch.ScalarType.Float64, generator: new torch.Generator(3, torch.CPU));
        var merged = Case("tsv", b, first, second).Merge();
        TensorAssert.Close(b + first + second, merged, 1e-10);
        // Task arithmetic gives the same here, but TSV-M truncates: a third task halves every task's rank to 2.
        var third = Update(u, v, 0, 0.1, 0.1, 0.1, 0.1);
        var truncated = Case("tsv", b, first, second, third).Merge() - b;
        Assert.True((truncated - (first + second)).norm().ToDouble() > 0.5);
    }

    [Fact]
    public void Tsv_sum_stays_exact_for_rank_deficient_tasks()
    {
        using var scope = torch.NewDisposeScope();
        var u = Orthogonal(8, 4);
        var v = Orthogonal(8, 5);
        var first = Update(u, v, 0, 3, 2);
        var second = Update(u, v, 2, 5, 1.5, 0.7);
        var b = torch.zeros([8, 8], dtype: torch.ScalarType.Float64);
        TensorAssert.Close(first + second, Case("tsv", b, first, second).Merge(), 1e-10);
    }

    [Fact]
    public void Tsv_scales_the_update_by_alpha()
    {
        using var scope = torch.NewDisposeScope();
        var u = Orthogonal(6, 6);
        var v = Orthogonal(6, 7);
        var first = Update(u, v, 0, 2, 1, 0.5);
        var second = Update(u, v, 3, 3, 1, 0.2);
        var b = torch.ones([6, 6], dtype: torch.ScalarType.Float64);
        TensorAssert.Close(b + (first + second) * 0.5, Case("tsv", b, first, second).Global(("alpha", 0.5)).Merge(), 1e-10);
    }

    [Fact]
    public void Iso_c_update_has_all_singular_values_equal_to_the_mean_of_the_summed_updates()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(11, torch.CPU);
        var b = torch.randn([10, 6], generator: g);
        var first = torch.randn([10, 6], generator: g);
        var second = torch.randn([10, 6], generator: g);
        var update = Case("iso_c", b, first, second).Merge() - b;
        double mean = SingularValues(first + second).Average();
        foreach (double sigma in SingularValues(update))
            Assert.Equal(mean, sigma, 4);
        // The directions are those of the sum: projecting the sum onto the update's column space loses nothing.
        var (uu, _, _) = torch.linalg.svd(update, fullMatrices: false);
        var sum = first + second;
        Assert.True((sum - uu.matmul(uu.t().matmul(sum))).norm().ToDouble() < 1e-4);
    }

    [Fact]
    public void Iso_cts_spans_the_common_subspace_and_each_tasks_own_top_direction_with_a_flat_spectrum()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(21, torch.CPU);
        var b = torch.zeros([12, 6], dtype: torch.ScalarType.Float64);
        var deltas = Enumerable.Range(0, 3).Select(_ => torch.randn([12, 6], dtype: torch.ScalarType.Float64, generator: g)).ToArray();
        // r = 6, fraction 0.5: k = 3 common directions, (6 − 3)/3 = 1 task-specific direction per task.
        var update = Case("iso_cts", b, deltas).Global(("common_space_fraction", 0.5)).Merge();
        var sigma = SingularValues(update);
        Assert.All(sigma, s => Assert.Equal(sigma[0], s, 8));

        var (range, _, _) = torch.linalg.svd(update, fullMatrices: false);
        double Outside(torch.Tensor x) => (x - range.matmul(range.t().matmul(x))).norm().ToDouble() / x.norm().ToDouble();
        var (su, _, _) = torch.linalg.svd(deltas[0] + deltas[1] + deltas[2], fullMatrices: false);
        var common = su.narrow(1, 0, 3);
        Assert.True(Outside(common) < 1e-8);
        foreach (var delta in deltas)
        {
            var (tu, _, _) = torch.linalg.svd(delta - common.matmul(common.t().matmul(delta)), fullMatrices: false);
            Assert.True(Outside(tu.narrow(1, 0, 1)) < 1e-8);
        }
        // Iso-C keeps the sum's directions only: a task's own direction is not in its range.
        var isoC = Case("iso_c", b, deltas).Merge();
        Assert.True((update - isoC).norm().ToDouble() > 1e-3);
    }

    /// <summary>
    /// iso_cts against the paper's steps written out here in float64 with plain SVDs: the common subspace from the sum,
    /// each task's top s directions of <c>(I − U_c U_cᵀ)Δ_t</c> taken from its own SVD, polar factors of the
    /// concatenations, the mean kept singular value. Tall, wide and square tensors; one task (whose update lies in the
    /// sum's span); no common subspace at all.
    /// </summary>
    [Theory]
    [InlineData(12, 6, 3, 0.5)]
    [InlineData(6, 12, 3, 0.5)]
    [InlineData(9, 9, 2, 0.6)]
    [InlineData(10, 4, 1, 0.5)]
    [InlineData(16, 6, 2, 0.0)]
    [InlineData(20, 7, 3, 0.3)]
    public void Iso_cts_matches_the_projected_task_svds_written_out(int rows, int cols, int tasks, double fraction)
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator((ulong)(rows * 100 + cols * 10 + tasks), torch.CPU);
        var b = torch.randn([rows, cols], dtype: torch.ScalarType.Float64, generator: g);
        var deltas = Enumerable.Range(0, tasks).Select(_ => torch.randn([rows, cols], dtype: torch.ScalarType.Float64, generator: g).mul(0.1)).ToArray();

        var expected = IsoCtsReference(b, deltas, fraction);

        var merged = Case("iso_cts", b, deltas).Global(("common_space_fraction", fraction)).Merge();
        TensorAssert.Close(expected, merged, 1e-9);
    }

    /// <summary>
    /// iso_cts written out in float64 with plain SVDs (see the test above): the common subspace from the sum, each
    /// task's top s directions of <c>(I − U_c U_cᵀ)Δ_t</c> from its own SVD, polar factors of the concatenations, the
    /// mean kept singular value; <c>B + σ̄·U_⊥V_⊥ᵀ</c>.
    /// </summary>
    private static torch.Tensor IsoCtsReference(torch.Tensor b, torch.Tensor[] deltas, double fraction)
    {
        long rank = Math.Min(b.shape[0], b.shape[1]);
        int tasks = deltas.Length;
        long common = (long)Math.Floor(fraction * rank);
        long perTask = (long)Math.Round((rank - common) / (double)tasks, MidpointRounding.ToEven);
        if (perTask * tasks > rank) perTask = rank / tasks;
        common = rank - perTask * tasks;
        var (su, ss, svh) = torch.linalg.svd(deltas.Aggregate((x, y) => x + y), fullMatrices: false);
        var uc = su.narrow(1, 0, common);
        var us = new List<torch.Tensor> { uc };
        var values = new List<torch.Tensor> { ss.narrow(0, 0, common) };
        var vs = new List<torch.Tensor> { svh.narrow(0, 0, common) };
        foreach (var delta in deltas)
        {
            var (tu, ts, tvh) = torch.linalg.svd(delta - uc.matmul(uc.t().matmul(delta)), fullMatrices: false);
            us.Add(tu.narrow(1, 0, perTask));
            values.Add(ts.narrow(0, 0, perTask));
            vs.Add(tvh.narrow(0, 0, perTask));
        }
        torch.Tensor Polar(torch.Tensor x)
        {
            var (pu, _, pvh) = torch.linalg.svd(x, fullMatrices: false);
            return pu.matmul(pvh);
        }
        var mean = torch.cat(values.ToArray(), 0).mean();
        return b + Polar(torch.cat(us.ToArray(), 1)).matmul(Polar(torch.cat(vs.ToArray(), 0))).mul(mean);
    }

    /// <summary>
    /// The same in float32 (the compute dtype where the polar factors come from float64 eigenproblems of the Gram
    /// matrices, <see cref="EvoMerge.Merging.Methods.GramPolar"/> and <see cref="EvoMerge.Merging.Methods.ExtendedRowsPolar"/>,
    /// and each task's directions from the float64 eigendecomposition of its Gram matrix,
    /// <see cref="EvoMerge.Merging.Methods.SingularFactors.TruncatedByGram"/>): against the float64 reference of the same
    /// float32 inputs, to the relative accuracy the fp32/fp64 comparison below asks of every method. Tall, wide and
    /// square, two and three tasks; the 192 × 192 case's concatenated right vectors have κ ≈ 440 (the benchmark's
    /// 768 × 768 ones up to 9e3), the 256 × 128 case has a residual outside the sum's span.
    /// </summary>
    [Theory]
    [InlineData(48, 32, 3, 0.5)]
    [InlineData(32, 48, 3, 0.6)]
    [InlineData(40, 40, 2, 0.7)]
    [InlineData(60, 24, 3, 0.8)]
    [InlineData(192, 192, 3, 0.7)]
    [InlineData(256, 128, 3, 0.7)]
    public void Iso_cts_in_float32_matches_the_float64_reference(int rows, int cols, int tasks, double fraction)
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator((ulong)(rows * 100 + cols * 10 + tasks), torch.CPU);
        var b = torch.randn([rows, cols], generator: g).to_type(torch.ScalarType.Float64);
        var deltas = Enumerable.Range(0, tasks).Select(_ => torch.randn([rows, cols], generator: g).mul(0.1f).to_type(torch.ScalarType.Float64)).ToArray();
        var expected = IsoCtsReference(b, deltas, fraction) - b;

        var merge = MergeCase.For("iso_cts").Base(b.to_type(torch.ScalarType.Float32)).Global(("common_space_fraction", fraction));
        foreach (var d in deltas) merge.Model((b + d).to_type(torch.ScalarType.Float32));
        var merged = merge.Merge();
        Assert.Equal(torch.ScalarType.Float32, merged.dtype);
        double error = (merged.to_type(torch.ScalarType.Float64) - b - expected).norm().ToDouble() / expected.norm().ToDouble();
        Assert.True(error < 1e-4, $"fp32 relative error {error}");
    }

    [Fact]
    public void Iso_cts_with_the_whole_rank_as_common_space_is_iso_c()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(31, torch.CPU);
        var b = torch.randn([6, 9], generator: g);
        var first = torch.randn([6, 9], generator: g);
        var second = torch.randn([6, 9], generator: g);
        TensorAssert.Close(Case("iso_c", b, first, second).Merge(),
            Case("iso_cts", b, first, second).Global(("common_space_fraction", 1.0)).Merge(), 1e-5);
    }

    [Fact]
    public void Esm_with_proxy_inputs_spanning_the_whole_space_equals_tsv_without_scaling()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(41, torch.CPU);
        var b = torch.randn([8, 8], dtype: torch.ScalarType.Float64, generator: g);
        var deltas = Enumerable.Range(0, 2).Select(_ => torch.randn([8, 8], dtype: torch.ScalarType.Float64, generator: g)).ToArray();
        var isotropic = torch.eye(8, dtype: torch.ScalarType.Float32).mul(3.0f);
        var esm = Case("esm", b, deltas).Global(("scaling_power", 0.0));
        esm.ProxyInputs = _ => isotropic;
        var tsv = Case("tsv", b, deltas).Merge();
        TensorAssert.Close(tsv, esm.Merge(), 1e-5);

        // With the polarised scaling (p = 2) the subspace is the same, only the magnitudes change.
        var scaled = Case("esm", b, deltas);
        scaled.ProxyInputs = _ => isotropic;
        var update = scaled.Merge() - b;
        Assert.True((update - (tsv - b)).norm().ToDouble() > 1e-3);
    }

    [Fact]
    public void Esm_keeps_the_directions_the_proxy_inputs_excite_where_tsv_keeps_the_largest_singular_value()
    {
        using var scope = torch.NewDisposeScope();
        // Task 1 changes e1 strongly (σ = 3) and e2 weakly (σ = 1); its inputs never touch e1. Task 2 changes nothing.
        var first = torch.tensor(new double[] { 3, 0, 0, 1 }).reshape(2, 2);
        var second = torch.zeros([2, 2], dtype: torch.ScalarType.Float64);
        var b = torch.zeros([2, 2], dtype: torch.ScalarType.Float64);
        var onlySecondInput = torch.tensor(new float[] { 0, 0, 0, 1 }).reshape(2, 2);
        var esm = Case("esm", b, first, second).Global(("scaling_power", 0.0));
        esm.ProxyInputs = _ => onlySecondInput;
        TensorAssert.Close([0, 0, 0, 1], esm.Merge(), 1e-6);
        TensorAssert.Close([3, 0, 0, 0], Case("tsv", b, first, second).Merge(), 1e-6);
    }

    [Fact]
    public void Esm_inter_task_scaling_amplifies_the_larger_update()
    {
        using var scope = torch.NewDisposeScope();
        var u = Orthogonal(4, 51);
        // A Hadamard basis: every input column of diag(w)·Vᵀ has the same norm, so the inter-dimension factors are 1.
        var v = torch.tensor(new double[] { 1, 1, 1, 1, 1, -1, 1, -1, 1, 1, -1, -1, 1, -1, -1, 1 }).reshape(4, 4).mul(0.5);
        var big = Update(u, v, 0, 2, 2);
        var small = Update(u, v, 2, 1, 1);
        var b = torch.zeros([4, 4], dtype: torch.ScalarType.Float64);
        var esm = Case("esm", b, big, small);
        var identity = torch.eye(4);
        esm.ProxyInputs = _ => identity;
        var update = esm.Merge();
        // Norms 2√2 and √2, mean 1.5√2: factors (4/3)² and (2/3)².
        double Along(torch.Tensor x, long i) => u.narrow(1, i, 1).t().matmul(x).matmul(v.narrow(1, i, 1)).ToDouble();
        Assert.Equal(2 * 16.0 / 9, Along(update, 0), 6);
        Assert.Equal(1 * 4.0 / 9, Along(update, 2), 6);
    }

    [Theory]
    [InlineData("tsv")]
    [InlineData("iso_c")]
    [InlineData("iso_cts")]
    [InlineData("esm")]
    public void One_dimensional_tensors_and_embeddings_fall_back_to_task_arithmetic(string method)
    {
        using var scope = torch.NewDisposeScope();
        var merged = Case(method, Tensors.Of(1, 1, 1), Tensors.Of(1, 0, 2), Tensors.Of(0, 3, 1)).Global(("alpha", 0.5)).Merge();
        TensorAssert.Close([1.5, 2.5, 2.5], merged, 1e-6);

        var g = new torch.Generator(61, torch.CPU);
        var b = torch.randn([5, 4], generator: g);
        var d1 = torch.randn([5, 4], generator: g);
        var d2 = torch.randn([5, 4], generator: g);
        var embedding = Case(method, b, d1, d2);
        embedding.TensorName = "model.embed_tokens.weight";
        embedding.IsEmbedding = true;
        TensorAssert.Close(b + d1 + d2, embedding.Merge(), 1e-5);
        if (method == "esm") return;
        embedding.Global(("include_embeddings", 1));
        Assert.True((embedding.Merge() - (b + d1 + d2)).norm().ToDouble() > 1e-3);
    }

    /// <summary>
    /// Float32 merges write their result into the caller's destination (the executor's reused buffer) instead of new
    /// memory, bit-identical to the tensor-at-a-time formulas: the task-arithmetic fallback of a 1-D tensor and of an
    /// embedding whose second model has a larger vocabulary against <c>B + α·((X_1 − B) + (X_2 − B) + (X_3 − B))</c>
    /// in torch float32 operations written here, and a 2-D merge with a destination against the same merge without.
    /// </summary>
    [Theory]
    [InlineData("tsv")]
    [InlineData("iso_c")]
    [InlineData("iso_cts")]
    [InlineData("esm")]
    public void Float32_results_go_into_the_destination_bit_identically(string method)
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(83, torch.CPU);
        bool Same(torch.Tensor x, torch.Tensor y) => x.dtype == y.dtype && x.shape.SequenceEqual(y.shape) && x.equal(y).all().item<bool>();
        torch.Tensor Merge(MergeCase merge, torch.Tensor? destination)
        {
            merge.Destination = destination;
            merge.ProxyInputs = _ => torch.eye(8);
            var result = merge.Merge();
            if (destination is not null) Assert.Same(destination, result);
            return result;
        }

        var b = torch.randn([1000], generator: g);
        var xs = Enumerable.Range(0, 3).Select(_ => b + torch.randn([1000], generator: g).mul(0.1f)).ToArray();
        var expected = b + ((xs[0] - b) + (xs[1] - b) + (xs[2] - b)).mul(0.7);
        var vector = MergeCase.For(method).Base(b).Model(xs[0]).Model(xs[1]).Model(xs[2]).Global(("alpha", 0.7));
        vector.TensorName = "model.layers.0.input_layernorm.weight";
        Assert.True(Same(expected, Merge(vector, null)));
        Assert.True(Same(expected, Merge(vector, torch.empty(1000))));

        var e = torch.randn([6, 4], generator: g);
        var wider = torch.randn([8, 4], generator: g);
        var narrow = e + torch.randn([6, 4], generator: g).mul(0.1f);
        var embedding = MergeCase.For(method).Base(e).Model(narrow).Model(wider).Global(("alpha", 1.3));
        embedding.TensorName = "model.embed_tokens.weight";
        embedding.IsEmbedding = true;
        var expectedEmbedding = e + ((narrow - e) + (wider.narrow(0, 0, 6) - e)).mul(1.3);
        Assert.True(Same(expectedEmbedding, Merge(embedding, null)));
        Assert.True(Same(expectedEmbedding, Merge(embedding, torch.empty([6, 4]))));

        var w = torch.randn([12, 8], generator: g);
        var matrix = MergeCase.For(method).Base(w).Global(("alpha", 0.9));
        for (int t = 0; t < 3; t++) matrix.Model(w + torch.randn([12, 8], generator: g).mul(0.01f));
        var unbuffered = Merge(matrix, null);
        Assert.True(Same(unbuffered, Merge(matrix, torch.empty([12, 8]))));
        // A destination of another dtype is not used.
        matrix.Destination = torch.empty([12, 8], dtype: torch.ScalarType.Float64);
        var ignored = matrix.Merge();
        Assert.NotSame(matrix.Destination, ignored);
        Assert.True(Same(unbuffered, ignored));
    }

    [Theory]
    [InlineData("tsv")]
    [InlineData("iso_c")]
    [InlineData("iso_cts")]
    [InlineData("esm")]
    public void Fp32_svd_matches_fp64_and_half_precision_inputs_keep_their_dtype(string method)
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(71, torch.CPU);
        var b = torch.randn([64, 48], dtype: torch.ScalarType.Float64, generator: g).mul(0.05);
        var deltas = Enumerable.Range(0, 3).Select(_ => torch.randn([64, 48], dtype: torch.ScalarType.Float64, generator: g).mul(0.01)).ToArray();
        var g64 = torch.eye(48, dtype: torch.ScalarType.Float64).add(torch.randn([48, 48], dtype: torch.ScalarType.Float64, generator: g).mul(0.1));
        var moment = g64.matmul(g64.t()).to_type(torch.ScalarType.Float32);
        torch.Tensor Run(torch.Tensor baseInput, IEnumerable<torch.Tensor> models)
        {
            var merge = MergeCase.For(method).Base(baseInput);
            foreach (var x in models) merge.Model(x);
            merge.ProxyInputs = _ => moment;
            return merge.Merge();
        }
        double Error(torch.ScalarType dtype)
        {
            // The reference merges the same inputs, rounded to dtype, in fp64: what is left is the SVDs' precision and
            // the rounding of the result.
            var baseInput = b.to_type(dtype);
            var models = deltas.Select(d => (b + d).to_type(dtype)).ToArray();
            var wide = baseInput.to_type(torch.ScalarType.Float64);
            var reference = Run(wide, models.Select(x => x.to_type(torch.ScalarType.Float64)));
            var result = Run(baseInput, models);
            Assert.Equal(dtype, result.dtype);
            return (result.to_type(torch.ScalarType.Float64) - reference).norm().ToDouble() / (reference - wide).norm().ToDouble();
        }
        double single = Error(torch.ScalarType.Float32);
        Assert.True(single < 1e-4, $"{method}: fp32 relative error {single}");
        double half = Error(torch.ScalarType.BFloat16);
        Assert.True(half < 0.02, $"{method}: bf16 relative error {half}");
    }

    /// <summary>
    /// A wide tensor (d_in &gt; the number of kept directions) in float32, whose right polar factor comes from the Gram
    /// matrix of the kept rows (<see cref="EvoMerge.Merging.Methods.GramPolar"/>), against the same float32 inputs merged in float64 by SVDs.
    /// </summary>
    [Theory]
    [InlineData("tsv")]
    [InlineData("iso_cts")]
    [InlineData("esm")]
    public void Wide_tensors_in_float32_match_their_float64_merge(string method)
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(73, torch.CPU);
        var b = torch.randn([24, 60], generator: g).mul(0.05f);
        var models = Enumerable.Range(0, 3).Select(_ => b + torch.randn([24, 60], generator: g).mul(0.01f)).ToArray();
        var g64 = torch.eye(60, dtype: torch.ScalarType.Float64).add(torch.randn([60, 60], dtype: torch.ScalarType.Float64, generator: g).mul(0.1));
        var moment = g64.matmul(g64.t()).to_type(torch.ScalarType.Float32);
        torch.Tensor Run(torch.ScalarType dtype)
        {
            var merge = MergeCase.For(method).Base(b.to_type(dtype));
            foreach (var x in models) merge.Model(x.to_type(dtype));
            merge.ProxyInputs = _ => moment;
            return merge.Merge().to_type(torch.ScalarType.Float64);
        }
        var reference = Run(torch.ScalarType.Float64);
        var wide = b.to_type(torch.ScalarType.Float64);
        double error = (Run(torch.ScalarType.Float32) - reference).norm().ToDouble() / (reference - wide).norm().ToDouble();
        Assert.True(error < 1e-4, $"{method}: fp32 relative error {error}");
    }

    [Fact]
    public void Esm_without_proxy_inputs_names_the_tensor_and_the_recipe_key()
    {
        using var scope = torch.NewDisposeScope();
        var b = torch.zeros([3, 3]);
        var e = Assert.Throws<MergeException>(() => Case("esm", b, torch.ones([3, 3])).Merge());
        Assert.Contains("model.layers.0.mlp.up_proj.weight", e.Message);
        Assert.Contains("proxy_tasks", e.Message);
        // 1-D tensors need no proxy inputs.
        TensorAssert.Close([1, 1], Case("esm", torch.zeros(2), torch.ones(2)).Merge());
    }

    [Fact]
    public void Invalid_parameters_and_proxy_shapes_are_errors_naming_the_tensor()
    {
        using var scope = torch.NewDisposeScope();
        var b = torch.zeros([3, 3]);
        var e = Assert.Throws<MergeException>(() => Case("iso_cts", b, torch.ones([3, 3])).Global(("common_space_fraction", 1.5)).Merge());
        Assert.Contains("common_space_fraction", e.Message);
        Assert.Contains("up_proj", e.Message);
        var esm = Case("esm", b, torch.ones([3, 3]));
        var wrong = torch.eye(4);
        esm.ProxyInputs = _ => wrong;
        Assert.Contains("expected [3, 3]", Assert.Throws<MergeException>(() => esm.Merge()).Message);
        var negative = Case("esm", b, torch.ones([3, 3])).Global(("scaling_power", -1));
        negative.ProxyInputs = _ => torch.eye(3);
        Assert.Contains("scaling_power", Assert.Throws<MergeException>(() => negative.Merge()).Message);
        Assert.Contains("needs a base_model", Assert.Throws<MergeException>(() => MergeCase.For("tsv").Model(b).Merge()).Message);
    }
}
