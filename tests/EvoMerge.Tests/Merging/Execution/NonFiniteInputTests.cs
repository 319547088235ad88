using EvoMerge.Merging.Execution;
using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.Tests.Merging.Execution;

public class NonFiniteInputTests
{
    private const string Recipe = "models:\n  - model: a\n    parameters: {weight: 1}\n  - model: b\n    parameters: {weight: 1}\nmerge_method: linear\n";
    private const string Poisoned = "model.layers.1.mlp.up_proj.weight";

    private static RecipeWorkspace TwoModels(float poison)
    {
        var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(layers: 2);
        ws.Model("a", spec, 1);
        ws.Model("b", spec, 2, weights =>
        {
            using var flat = weights.Single(w => w.Name == Poisoned).Tensor.view(-1);
            flat[3].fill_(poison);
        });
        return ws;
    }

    private static void Merge(RecipeWorkspace ws, bool allow, List<string> warnings)
    {
        using var plan = ws.Plan(Recipe);
        using var sink = ModelDirectorySink.Create(plan, ws.Out, SafetensorsWriter.DefaultMaxShardBytes, false);
        using var executor = new MergeExecutor(plan, new MergeExecutionOptions { AllowNonFiniteInputs = allow, Warn = warnings.Add });
        executor.Run(sink);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void An_input_holding_nan_or_infinity_is_refused_naming_the_file_and_the_tensor(float poison)
    {
        using var ws = TwoModels(poison);
        var warnings = new List<string>();
        var error = Assert.Throws<InvalidDataException>(() => Merge(ws, allow: false, warnings));
        string file = Path.Combine(ws.Root, "b", "model.safetensors");
        Assert.Equal($"{file}: tensor '{Poisoned}' holds NaN or infinite values (evomerge merge --allow-nonfinite merges it anyway)", error.Message);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Allowed_it_is_merged_with_one_warning()
    {
        using var ws = TwoModels(float.NaN);
        var warnings = new List<string>();
        Merge(ws, allow: true, warnings);
        string file = Path.Combine(ws.Root, "b", "model.safetensors");
        Assert.Equal([$"{file}: tensor '{Poisoned}' holds NaN or infinite values; merged anyway (--allow-nonfinite)"], warnings);
        using var merged = ws.Load("out", Poisoned);
        Assert.True(float.IsNaN(merged.view(-1)[3].item<float>()));
    }

    [Fact]
    public void Finite_inputs_merge_without_a_warning()
    {
        using var ws = TwoModels(0.5f);
        var warnings = new List<string>();
        Merge(ws, allow: false, warnings);
        Assert.Empty(warnings);
    }
}
