using EvoMerge.Merging.Recipes;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Execution;

/// <summary>
/// Values outside a parameter's usual range that mergekit merges (issue 20 item 6) merge as mergekit's code gives them,
/// with one warning each. Expected tensors are worked out here from the inputs, from mergekit's formulas
/// (mergekit/sparsify.py, merge_methods/generalized_task_arithmetic.py and slerp.py), not from EvoMerge's code.
/// </summary>
public class UnusualValueMergeTests
{
    private const string Up = "model.layers.1.mlp.up_proj.weight";
    private const string Q = "model.layers.0.self_attn.q_proj.weight";
    private const string Norm = "model.layers.1.input_layernorm.weight";

    private static readonly string[] Checked = [Up, Q, Norm, "model.norm.weight"];

    private static RecipeWorkspace ThreeModels()
    {
        var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(layers: 2);
        ws.Model("base", spec, 1);
        ws.FineTune("a", spec, 1, 7, noise: 0.05);
        ws.FineTune("b", spec, 1, 8, noise: 0.05);
        return ws;
    }

    /// <summary>A warning line with the workspace directory left out of the recipe path.</summary>
    private static string Line(RecipeWorkspace ws, RecipeWarning warning) =>
        warning.ToString().Replace(ws.Root + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);

    private static void AssertOut(RecipeWorkspace ws, string name, Func<torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor> expected, double atol = 1e-6)
    {
        using var scope = torch.NewDisposeScope();
        var want = expected(ws.Load("base", name), ws.Load("a", name), ws.Load("b", name));
        var actual = ws.Load("out", name);
        Assert.True(torch.allclose(actual, want, rtol: 0, atol: atol), $"{name}: max |diff| {(actual - want).abs().max().item<float>()}");
    }

    // sparsify(δ_a, density ≤ 0) is all zeros in mergekit for random (bernoulli of p = 0), della_magprune
    // (returns zeros_like) and magnitude_outliers (its slice indices[n_bot:-n_top] is empty); a gets no element, its
    // weight still counts in the normalising divisor where there is no sign consensus. b (density 1) is kept whole.
    [Theory]
    [InlineData("dare_linear", "0", "normalize: false", 1.0)]
    [InlineData("dare_linear", "0", "normalize: true", 0.5)]
    [InlineData("breadcrumbs", "0", "normalize: true", 0.5)]
    [InlineData("breadcrumbs", "-0.25", "normalize: false", 1.0)]
    [InlineData("della_linear", "-0.5", "normalize: true", 0.5)]
    [InlineData("della", "0", "lambda: 1", 1.0)]
    [InlineData("dare_ties", "0", "normalize: true", 1.0)]
    public void A_density_of_0_or_below_drops_the_whole_task_vector_as_mergekit_does(string method, string density, string global, double shareOfB)
    {
        using var ws = ThreeModels();
        string yaml = $"models:\n  - model: a\n    parameters: {{weight: 1, density: {density}}}\n  - model: b\n    parameters: {{weight: 1, density: 1}}\nmerge_method: {method}\nbase_model: base\nparameters: {{{global}}}\ndtype: float32\n";
        using (var plan = ws.Plan(yaml))
        {
            var warning = Assert.Single(plan.Warnings);
            Assert.Equal($"recipe.yml:3: models[0].parameters.density: {density} is outside (0, 1], the usual range of {method}'s 'density': "
                + $"{(method.StartsWith("dare", StringComparison.Ordinal) ? "DARE" : method.StartsWith("della", StringComparison.Ordinal) ? "DELLA" : "breadcrumbs")} keeps no element, "
                + "so this model adds nothing to the merge; merged as mergekit does", Line(ws, warning));
        }
        ws.Merge(yaml, seed: 3);
        foreach (string name in Checked)
            AssertOut(ws, name, (b0, _, b) => b0 + (b - b0) * shareOfB);
    }

    [Fact]
    public void A_negative_dare_density_stays_an_error_as_torch_bernoulli_refuses_it_in_mergekit()
    {
        using var ws = ThreeModels();
        var error = Assert.Throws<RecipeException>(() => ws.Plan(
            "models:\n  - model: a\n    parameters: {weight: 1, density: -0.1}\nmerge_method: dare_ties\nbase_model: base\n"));
        Assert.EndsWith("recipe.yml:3: models[0].parameters.density: -0.1 is outside the allowed range [0, ∞) of dare_ties's 'density'", error.Message);
    }

    // mergekit's slerp: θ = acos(v̂0·v̂1), result sin((1−t)θ)/sin θ·v0 + sin(tθ)/sin θ·v1 for any t.
    [Theory]
    [InlineData(1.5)]
    [InlineData(-0.5)]
    public void A_slerp_t_outside_0_1_extrapolates_by_mergekits_formula(double t)
    {
        using var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(layers: 2);
        ws.Model("base", spec, 1);
        ws.Model("a", spec, 2);
        ws.Model("b", spec, 3);
        string value = t.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string yaml = $"models:\n  - model: base\n  - model: a\nmerge_method: slerp\nbase_model: base\nparameters:\n  t: {value}\ndtype: float32\n";
        using (var plan = ws.Plan(yaml))
        {
            string side = t > 1 ? "past the other model (t = 1), away from the base" : "past the base (t = 0), away from the other model";
            Assert.Equal($"recipe.yml:7: parameters.t: {value} is outside [0, 1], the usual range of slerp's 't': slerp extrapolates {side}; merged as mergekit does",
                Line(ws, Assert.Single(plan.Warnings)));
        }
        ws.Merge(yaml);
        foreach (string name in Checked)
        {
            AssertOut(ws, name, (v0, v1, _) =>
            {
                var x0 = v0.to(torch.ScalarType.Float64);
                var x1 = v1.to(torch.ScalarType.Float64);
                double dot = (x0.flatten() / x0.norm()).dot(x1.flatten() / x1.norm()).item<double>();
                double theta = Math.Acos(dot);
                using var s0 = (Math.Sin((1 - t) * theta) / Math.Sin(theta)).ToScalar();
                using var s1 = (Math.Sin(t * theta) / Math.Sin(theta)).ToScalar();
                return (x0 * s0 + x1 * s1).to(torch.ScalarType.Float32);
            }, atol: 1e-5);
        }
    }

    // magnitude_outliers with gamma < 0: n_top = int(gamma·n) ≤ 0 and n_bot = n − target − n_top ≥ n − n_top, so
    // indices[n_bot:-n_top] is empty: a's task vector is zero and the merge (normalize false) is base + δ_b.
    [Fact]
    public void A_negative_breadcrumbs_gamma_keeps_nothing_as_mergekits_outlier_slice_is_empty()
    {
        using var ws = ThreeModels();
        string yaml = "models:\n  - model: a\n    parameters: {weight: 1, density: 0.5, gamma: -0.1}\n  - model: b\n    parameters: {weight: 1, density: 1}\nmerge_method: breadcrumbs\nbase_model: base\ndtype: float32\n";
        using (var plan = ws.Plan(yaml))
        {
            Assert.Equal("recipe.yml:3: models[0].parameters.gamma: -0.1 is outside [0, 1], the usual range of breadcrumbs's 'gamma': mergekit's outlier slice is then empty, "
                + "so breadcrumbs keeps no element and this model adds nothing to the merge; merged as mergekit does", Line(ws, Assert.Single(plan.Warnings)));
        }
        ws.Merge(yaml);
        foreach (string name in Checked)
            AssertOut(ws, name, (b0, _, b) => b);
    }

    // gamma > 1: n_top = int(gamma·n) > n − target, so n_bot < 0 and n_top shrinks to n − target, n_bot to 0:
    // indices[0:target] of the ascending sort are kept, the floor(density·n) smallest magnitudes of δ_a.
    [Fact]
    public void A_breadcrumbs_gamma_above_1_keeps_the_smallest_magnitudes()
    {
        using var ws = ThreeModels();
        string yaml = "models:\n  - model: a\n    parameters: {weight: 1, density: 0.5, gamma: 2}\nmerge_method: breadcrumbs\nbase_model: base\ndtype: float32\n";
        using (var plan = ws.Plan(yaml))
            Assert.Contains("gamma: 2 is outside [0, 1], the usual range of breadcrumbs's 'gamma': the top drop shrinks to fit the density, so only the smallest magnitudes are kept",
                Line(ws, Assert.Single(plan.Warnings)), StringComparison.Ordinal);
        ws.Merge(yaml);
        foreach (string name in Checked)
        {
            AssertOut(ws, name, (b0, a, _) =>
            {
                var delta = (a - b0).reshape(-1);
                long target = (long)Math.Floor(0.5 * delta.numel());
                var ascending = delta.abs().argsort();
                var keep = torch.zeros_like(delta);
                keep.index_put_(torch.ones(target), ascending.narrow(0, 0, target));
                return b0 + (delta * keep).view(b0.shape);
            });
        }
    }

    // della_magprune with ε < 0: probs = (density − ε) + rank_norm·2ε, so the smallest magnitude (rank_norm 0) is
    // kept with density + |ε| = 0.9 and the largest with 0.1. Over a 384-element tensor the smaller half is kept far
    // more often than the larger half (expected 0.7 vs 0.3 of 192).
    [Fact]
    public void A_negative_della_epsilon_reverses_the_keep_probabilities()
    {
        using var ws = ThreeModels();
        string yaml = "models:\n  - model: a\n    parameters: {weight: 1, density: 0.5, epsilon: -0.4}\nmerge_method: della_linear\nbase_model: base\ndtype: float32\n";
        using (var plan = ws.Plan(yaml))
            Assert.Equal("recipe.yml:3: models[0].parameters.epsilon: -0.4 is outside [0, ∞), the usual range of della_linear's 'epsilon': "
                + "DELLA's keep probabilities are reversed, so smaller magnitudes are kept more often than larger ones; merged as mergekit does",
                Line(ws, Assert.Single(plan.Warnings)));
        ws.Merge(yaml, seed: 5);
        using var scope = torch.NewDisposeScope();
        // della ranks within each row (dimension 1): up_proj is [24, 16], so each row's 8 smaller and 8 larger.
        var b0 = ws.Load("base", Up);
        var ascending = (ws.Load("a", Up) - b0).abs().argsort(1);
        var kept = ws.Load("out", Up).ne(b0).to(torch.ScalarType.Int64).gather(1, ascending);
        long half = b0.numel() / 2;
        long smallKept = kept.narrow(1, 0, 8).sum().item<long>();
        long largeKept = kept.narrow(1, 8, 8).sum().item<long>();
        Assert.InRange(smallKept, 0.6 * half, 0.8 * half);
        Assert.InRange(largeKept, 0.2 * half, 0.4 * half);
    }

    // density − |ε| < 0 gives a negative keep probability, which mergekit's torch.bernoulli refuses.
    [Fact]
    public void A_negative_della_epsilon_whose_probabilities_leave_0_1_is_an_error()
    {
        using var ws = ThreeModels();
        var error = Assert.ThrowsAny<Exception>(() => ws.Merge(
            "models:\n  - model: a\n    parameters: {weight: 1, density: 0.5, epsilon: -0.6}\nmerge_method: della\nbase_model: base\ndtype: float32\n"));
        Assert.Contains("density 0.5 ± epsilon -0.6 of model", error.Message, StringComparison.Ordinal);
        Assert.Contains("must lie in [0, 1]", error.Message, StringComparison.Ordinal);
    }

    // mergekit's get_task_vectors skips a model whose non-embedding tensor has another shape than the base's: the
    // MLP tensors of b (intermediate size 32, the base's 24) come from base + δ_a alone, the rest from base + δ_a + δ_b.
    [Theory]
    [InlineData("task_arithmetic")]
    [InlineData("ties")]
    public void A_model_whose_tensor_has_another_shape_is_left_out_of_that_tensor_with_one_warning(string method)
    {
        using var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(layers: 2);
        ws.Model("base", spec, 1);
        ws.FineTune("a", spec, 1, 7, noise: 0.05);
        ws.Model("b", spec with { IntermediateSize = 32 }, 4);
        string yaml = $"models:\n  - model: a\n    parameters: {{weight: 1}}\n  - model: b\n    parameters: {{weight: 1}}\nmerge_method: {method}\nbase_model: base\nparameters: {{normalize: false}}\ndtype: float32\n";
        using (var plan = ws.Plan(yaml))
        {
            var warnings = plan.Warnings.Select(w => Line(ws, w)).ToList();
            Assert.Equal(6, warnings.Count); // gate, up, down in each of 2 layers
            Assert.Contains("recipe.yml:4: tensor 'model.layers.1.mlp.up_proj.weight' has shape [32, 16] in model 'b' but [24, 16] in the base model; "
                + "'b' is left out of this tensor, as mergekit skips it", warnings);
            Assert.Throws<RecipeException>(() => RecipeWarning.Report(plan.Warnings, strict: true, _ => { }));
        }
        ws.Merge(yaml);
        AssertOut(ws, Up, (b0, a, _) => a);
        AssertOut(ws, "model.layers.0.mlp.down_proj.weight", (b0, a, _) => a);
        if (method == "task_arithmetic")
            AssertOut(ws, Q, (b0, a, b) => a + b - b0);
    }
}
