using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Execution;

/// <summary>
/// The three representative recipes of docs/merge-semantics.md, scaled to tiny models and merged end to end; every
/// output tensor is checked against values computed here with plain torch ops on the loaded inputs.
/// </summary>
public class ExampleRecipeTests
{
    private static readonly string[] LayerTensors = DecoderLayout.For(
        ModelConfig.FromJson(RecipeWorkspace.Spec(1).ToConfigJson(), "spec"), "spec").LayerTemplate.ToArray();

    /// <summary>mergekit's gradient rule, written out again for the expectations.</summary>
    private static double Gradient(double[] anchors, double t)
    {
        double x = t * (anchors.Length - 1);
        int i = (int)Math.Floor(x);
        int j = Math.Min(anchors.Length - 1, i + 1);
        return anchors[i] + (x - i) * (anchors[j] - anchors[i]);
    }

    private static IEnumerable<(string Name, int Layer)> AllTensors(int layers)
    {
        yield return ("model.embed_tokens.weight", -1);
        for (int i = 0; i < layers; i++)
        {
            foreach (string template in LayerTensors) yield return (DecoderLayout.LayerName(template, i), i);
        }
        yield return ("model.norm.weight", -1);
        yield return ("lm_head.weight", -1);
    }

    private static void AssertClose(torch.Tensor expected, torch.Tensor actual, double atol, string name)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{name}: shape");
        double worst = (expected.to(torch.ScalarType.Float64) - actual.to(torch.ScalarType.Float64)).abs().max().item<double>();
        Assert.True(worst <= atol, $"{name}: max |expected − actual| = {worst:G4} > {atol:G4}");
    }

    private static torch.Tensor Slerp(torch.Tensor v0, torch.Tensor v1, double t)
    {
        var a = v0.to(torch.ScalarType.Float64).flatten();
        var b = v1.to(torch.ScalarType.Float64).flatten();
        double na = a.norm().item<double>(), nb = b.norm().item<double>();
        double dot = ((na > 1e-8 ? a / na : a) * (nb > 1e-8 ? b / nb : b)).sum().item<double>();
        if (Math.Abs(dot) > 0.9995) return ((1 - t) * a + t * b).view(v0.shape);
        double theta = Math.Acos(dot);
        return (Math.Sin((1 - t) * theta) / Math.Sin(theta) * a + Math.Sin(t * theta) / Math.Sin(theta) * b).view(v0.shape);
    }

    [Fact]
    public void Slerp_with_per_filter_gradients()
    {
        using var scope = torch.NewDisposeScope();
        using var ws = new RecipeWorkspace();
        const int layers = 9;
        var spec = RecipeWorkspace.Spec(layers, torch.ScalarType.Float16);
        ws.Model("orca", spec, 11);
        ws.Model("platypus", spec, 12);
        ws.Merge("""
            slices:
              - sources:
                  - {model: orca, layer_range: [0, 9]}
                  - {model: platypus, layer_range: [0, 9]}
            merge_method: slerp
            base_model: orca
            parameters:
              t:
                - {filter: self_attn, value: [0, 0.5, 0.3, 0.7, 1]}
                - {filter: mlp,       value: [1, 0.5, 0.7, 0.3, 0]}
                - value: 0.5
            dtype: float16
            """);

        foreach (var (name, layer) in AllTensors(layers))
        {
            double position = layer < 0 ? 0 : layer / (double)(layers - 1);
            double t = name.Contains("self_attn") ? Gradient([0, 0.5, 0.3, 0.7, 1], position)
                : name.Contains("mlp") ? Gradient([1, 0.5, 0.7, 0.3, 0], position)
                : 0.5;
            var expected = Slerp(ws.Load("orca", name), ws.Load("platypus", name), t).to(torch.ScalarType.Float16);
            AssertClose(expected, ws.Load("out", name), 2e-3, name);
        }
        using var merged = ModelDirectory.Open(ws.Out);
        Assert.Equal(layers, merged.Config.NumHiddenLayers);
        Assert.Equal("float16", merged.Config.TorchDtype);
    }

    [Fact]
    public void Ties_with_per_model_gradients_and_a_filter()
    {
        using var scope = torch.NewDisposeScope();
        using var ws = new RecipeWorkspace();
        const int layers = 5;
        var spec = RecipeWorkspace.Spec(layers);
        ws.Model("llama", spec, 20);
        ws.FineTune("orca", spec, 20, 21);
        ws.FineTune("platypus", spec, 20, 22);
        ws.FineTune("wizard", spec, 20, 23);
        // The example's dtype is float16; float32 here keeps sign elections of near-zero sums independent of rounding
        // order, so the tensors can be compared tightly. (The slerp and passthrough examples cover float16.)
        ws.Merge("""
            models:
              - model: orca
                parameters: {density: [1, 0.7, 0.1], weight: 1.0}
              - model: platypus
                parameters: {density: 0.5, weight: [0, 0.3, 0.7, 1]}
              - model: wizard
                parameters:
                  density: 0.33
                  weight: [{filter: mlp, value: 0.5}, {value: 0}]
            merge_method: ties
            base_model: llama
            parameters: {normalize: true, int8_mask: true}
            dtype: float32
            """);

        foreach (var (name, layer) in AllTensors(layers))
        {
            double position = layer < 0 ? 0 : layer / (double)(layers - 1);
            (string Model, double Density, double Weight)[] models =
            [
                ("orca", Gradient([1, 0.7, 0.1], position), 1.0),
                ("platypus", 0.5, Gradient([0, 0.3, 0.7, 1], position)),
                ("wizard", 0.33, name.Contains("mlp") ? 0.5 : 0.0),
            ];
            var b = ws.Load("llama", name);
            var weighted = new List<torch.Tensor>();
            var weights = new List<double>();
            foreach (var (model, density, weight) in models)
            {
                var delta = (ws.Load(model, name) - b).flatten();
                if (density < 1)
                {
                    long k = (long)(density * delta.numel());
                    var (_, order) = delta.abs().sort(0, true, true);
                    var keep = torch.zeros_like(delta).index_fill_(0, order.narrow(0, 0, k), 1.0);
                    delta = delta * keep;
                }
                weighted.Add(delta * weight);
                weights.Add(weight);
            }
            var total = torch.stack(weighted).sum(0L);
            var sign = torch.where(total.ge(0), torch.ones_like(total), -torch.ones_like(total));
            var mixed = torch.zeros_like(sign);
            var divisor = torch.zeros_like(sign);
            for (int i = 0; i < weighted.Count; i++)
            {
                var agrees = weighted[i].sign().eq(sign).to(torch.ScalarType.Float32);
                mixed += weighted[i] * agrees;
                divisor += agrees * weights[i];
            }
            divisor = torch.where(divisor.eq(0), torch.ones_like(divisor), divisor);
            var expected = b + (mixed / divisor).view(b.shape);
            AssertClose(expected, ws.Load("out", name), 1e-6, name);
        }
    }

    [Fact]
    public void Passthrough_frankenmerge_duplicating_layers_with_attenuated_repeats()
    {
        using var scope = torch.NewDisposeScope();
        using var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(8, torch.ScalarType.Float16);
        ws.Model("orca", spec, 31);
        ws.Model("platypus", spec, 32);
        ws.Merge("""
            slices:
              - sources: [{model: orca, layer_range: [0, 5]}]
              - sources: [{model: platypus, layer_range: [4, 8]}]
                parameters:
                  scale:
                    - {filter: o_proj, value: 0.5}
                    - {filter: down_proj, value: 0.5}
                    - value: 1
            merge_method: passthrough
            dtype: float16
            """);

        using var merged = ModelDirectory.Open(ws.Out);
        Assert.Equal(9, merged.Config.NumHiddenLayers);
        merged.Validate();
        Assert.True(RecipeWorkspace.Identical(ws.Load("orca", "model.embed_tokens.weight"), ws.Load("out", "model.embed_tokens.weight")));
        Assert.True(RecipeWorkspace.Identical(ws.Load("platypus", "model.norm.weight"), ws.Load("out", "model.norm.weight")));
        Assert.True(RecipeWorkspace.Identical(ws.Load("platypus", "lm_head.weight"), ws.Load("out", "lm_head.weight")));
        for (int output = 0; output < 9; output++)
        {
            foreach (string template in LayerTensors)
            {
                string name = DecoderLayout.LayerName(template, output);
                var (model, source) = output < 5 ? ("orca", output) : ("platypus", output - 1);
                double scale = output >= 5 && (template.Contains("o_proj") || template.Contains("down_proj")) ? 0.5 : 1.0;
                var expected = (ws.Load(model, DecoderLayout.LayerName(template, source)) * scale).to(torch.ScalarType.Float16);
                Assert.True(RecipeWorkspace.Identical(expected, ws.Load("out", name)), $"{name} should be {model} layer {source} × {scale}");
            }
        }
    }
}
