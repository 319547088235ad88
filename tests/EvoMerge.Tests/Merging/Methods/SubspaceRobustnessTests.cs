using EvoMerge.Merging;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>
/// tsv, iso_c, iso_cts and esm on inputs that break a naive SVD pipeline: non-finite sources, updates that are all
/// zero, a model identical to the base, two identical tasks (a rank-deficient concatenation), and updates so large or
/// so small that their squares leave the float32 range.
/// </summary>
public sealed class SubspaceRobustnessTests
{
    public static TheoryData<string> Methods => new() { "tsv", "iso_c", "iso_cts", "esm" };

    /// <summary>A merge of <paramref name="models"/> onto <paramref name="b"/> with identity proxy moments for esm.</summary>
    private static MergeCase Case(string method, torch.Tensor b, params torch.Tensor[] models)
    {
        var merge = MergeCase.For(method).Base(b);
        foreach (var x in models) merge.Model(x);
        var identity = torch.eye(b.shape[1]);
        merge.ProxyInputs = _ => identity;
        return merge;
    }

    private static torch.Tensor WithValueAt(torch.Tensor x, int index, float value)
    {
        var values = x.to_type(torch.ScalarType.Float32).data<float>().ToArray();
        values[index] = value;
        return torch.tensor(values).reshape(x.shape);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void A_nan_or_infinity_in_an_input_is_an_error_naming_the_tensor_and_the_model(string method)
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(81, torch.CPU);
        var b = torch.randn([6, 4], generator: g);
        var good = b + torch.randn([6, 4], generator: g);
        var bad = WithValueAt(b + torch.randn([6, 4], generator: g), 5, float.NaN);
        var e = Assert.Throws<MergeException>(() => Case(method, b, good, bad).Merge());
        Assert.Contains("model.layers.0.mlp.up_proj.weight", e.Message);
        Assert.Contains("'model2'", e.Message);
        Assert.Contains("non-finite", e.Message);

        var infiniteBase = WithValueAt(b, 0, float.PositiveInfinity);
        var baseError = Assert.Throws<MergeException>(() => Case(method, infiniteBase, good, bad).Merge());
        Assert.Contains("'base'", baseError.Message);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Models_identical_to_the_base_give_the_base_back_exactly(string method)
    {
        using var scope = torch.NewDisposeScope();
        var b = torch.randn([6, 4], generator: new torch.Generator(82, torch.CPU));
        var merged = Case(method, b, b.clone(), b.clone()).Global(("alpha", 2.0)).Merge();
        Assert.True(b.eq(merged).all().ToBoolean());
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void A_model_identical_to_the_base_adds_no_direction_of_its_own(string method)
    {
        using var scope = torch.NewDisposeScope();
        // Task 1 changes only the top-left 4×4 block (rank 4); task 2 is the base. Whatever the method, nothing may
        // appear outside the block: the zero update's singular vectors are arbitrary and must carry nothing.
        var g = new torch.Generator(83, torch.CPU);
        var block = torch.zeros([8, 8], dtype: torch.ScalarType.Float64);
        block.narrow(0, 0, 4).narrow(1, 0, 4).copy_(torch.randn([4, 4], dtype: torch.ScalarType.Float64, generator: g));
        var b = torch.randn([8, 8], dtype: torch.ScalarType.Float64, generator: g);
        var update = Case(method, b, b + block, b.clone()).Merge() - b;
        Assert.True(update.isfinite().all().ToBoolean());
        Assert.True(update.norm().ToDouble() > 0.1);
        Assert.True(update.narrow(0, 4, 4).norm().ToDouble() < 1e-8, $"{method}: rows outside the block {update.narrow(0, 4, 4).norm().ToDouble()}");
        Assert.True(update.narrow(1, 4, 4).norm().ToDouble() < 1e-8, $"{method}: columns outside the block {update.narrow(1, 4, 4).norm().ToDouble()}");
        if (method == "tsv") TensorAssert.Close(block, update, 1e-10);
    }

    [Fact]
    public void Tsv_of_two_identical_tasks_is_their_common_truncation_without_arbitrary_directions()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(84, torch.CPU);
        var delta = torch.randn([8, 8], dtype: torch.ScalarType.Float64, generator: g);
        var b = torch.randn([8, 8], dtype: torch.ScalarType.Float64, generator: g);
        // k = 4 per task; the concatenated U's are [U₄, U₄], of rank 4: its polar factor's other half is arbitrary.
        var (u, s, vh) = torch.linalg.svd(delta, fullMatrices: false);
        var truncated = u.narrow(1, 0, 4).mul(s.narrow(0, 0, 4).unsqueeze(0)).matmul(vh.narrow(0, 0, 4));
        TensorAssert.Close(truncated, Case("tsv", b, b + delta, b + delta).Merge() - b, 1e-10);
    }

    [Fact]
    public void Iso_cts_of_two_identical_tasks_spans_only_their_directions()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(85, torch.CPU);
        var delta = torch.randn([8, 8], dtype: torch.ScalarType.Float64, generator: g);
        var b = torch.zeros([8, 8], dtype: torch.ScalarType.Float64);
        // Fraction 0.8 of rank 8: 6 common directions (of the sum 2Δ, singular values 2σ₁…2σ₆), then each task adds
        // its 7th direction (σ₇) twice: the result is σ̄·U₇V₇ᵀ with σ̄ = (2σ₁ + … + 2σ₆ + 2σ₇) / 8.
        var (u, s, vh) = torch.linalg.svd(delta, fullMatrices: false);
        var sigma = s.data<double>().ToArray();
        double mean = 2 * sigma.Take(7).Sum() / 8;
        var expected = u.narrow(1, 0, 7).matmul(vh.narrow(0, 0, 7)).mul(mean);
        TensorAssert.Close(expected, Case("iso_cts", b, delta, delta.clone()).Merge(), 1e-10);
    }

    [Theory]
    [InlineData("tsv", 100)]
    [InlineData("tsv", -100)]
    [InlineData("iso_c", 100)]
    [InlineData("iso_c", -100)]
    [InlineData("iso_cts", 100)]
    [InlineData("iso_cts", -100)]
    [InlineData("esm", 100)]
    [InlineData("esm", -100)]
    public void Huge_and_tiny_bfloat16_updates_merge_as_the_same_updates_of_unit_size(string method, int exponent)
    {
        using var scope = torch.NewDisposeScope();
        // 2^±100: their squares (2^±200) are outside float32, which esm's Δ·G·Δᵀ and any norm would meet unscaled.
        var g = new torch.Generator(86, torch.CPU);
        var b = torch.zeros([8, 6], dtype: torch.ScalarType.BFloat16);
        var deltas = Enumerable.Range(0, 3).Select(_ => torch.randn([8, 6], generator: g).to_type(torch.ScalarType.BFloat16)).ToArray();
        var factor = Math.ScaleB(1.0, exponent);
        var unit = Case(method, b, deltas).Merge().to_type(torch.ScalarType.Float64);
        var scaled = Case(method, b, deltas.Select(d => d.to_type(torch.ScalarType.Float64).mul(factor).to_type(torch.ScalarType.BFloat16)).ToArray()).Merge();
        Assert.Equal(torch.ScalarType.BFloat16, scaled.dtype);
        var back = scaled.to_type(torch.ScalarType.Float64).mul(1.0 / factor);
        Assert.True(back.isfinite().all().ToBoolean(), $"{method}: non-finite result at 2^{exponent}");
        TensorAssert.Close(unit, back, 1e-12);
    }

    [Fact]
    public void Esm_keeps_only_the_directions_the_proxy_inputs_excite_when_k_exceeds_their_rank()
    {
        using var scope = torch.NewDisposeScope();
        // d_out = 4 and T = 2: k = 2 directions per task, but rank-1 inputs (G = e₁e₁ᵀ) shift the output along one
        // direction only, u = Δ₁e₁ / ‖Δ₁e₁‖. A second eigenvector would be an arbitrary pick from a 3-dimensional
        // null space. Task 2 is the base (no shift at all).
        var delta = torch.randn([4, 4], dtype: torch.ScalarType.Float64, generator: new torch.Generator(88, torch.CPU));
        var b = torch.zeros([4, 4], dtype: torch.ScalarType.Float64);
        var firstInput = torch.zeros([4, 4]);
        firstInput[0, 0] = torch.tensor(1.0f);
        var esm = Case("esm", b, delta, b.clone()).Global(("scaling_power", 0.0));
        esm.ProxyInputs = _ => firstInput;
        var u = delta.narrow(1, 0, 1);
        u = u.div(u.norm());
        TensorAssert.Close(u.matmul(u.t()).matmul(delta), esm.Merge(), 1e-10);
    }

    [Fact]
    public void Esm_proxy_inputs_with_a_nan_are_an_error_naming_the_model()
    {
        using var scope = torch.NewDisposeScope();
        var g = new torch.Generator(87, torch.CPU);
        var b = torch.randn([5, 4], generator: g);
        var merge = Case("esm", b, b + torch.randn([5, 4], generator: g), b + torch.randn([5, 4], generator: g));
        var broken = WithValueAt(torch.eye(4), 3, float.NaN);
        merge.ProxyInputs = input => input.Model == "model2" ? broken : torch.eye(4);
        var e = Assert.Throws<MergeException>(() => merge.Merge());
        Assert.Contains("'model2'", e.Message);
        Assert.Contains("non-finite", e.Message);
    }
}
