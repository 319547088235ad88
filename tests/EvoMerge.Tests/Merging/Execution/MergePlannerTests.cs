using EvoMerge.Merging.Execution;
using EvoMerge.Tensors;
using EvoMerge.Tests.Merging.Recipes;
using Xunit;

namespace EvoMerge.Tests.Merging.Execution;

public class MergePlannerTests
{
    [Fact]
    public void A_models_recipe_plans_embeddings_then_every_layer_then_the_head_with_the_base_added()
    {
        using var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(layers: 3);
        ws.Model("base", spec, 1);
        ws.Model("a", spec, 2);
        ws.Model("b", spec, 3);
        using var plan = ws.Plan("""
            models:
              - model: a
                parameters: {weight: [0, 1]}
              - model: b
                parameters: {weight: 0.5}
            merge_method: ties
            base_model: base
            """);

        var layout = DecoderLayout.For(plan.ConfigDonor.Directory.Config, "config.json");
        Assert.Equal(layout.ExpectedNames(), plan.Tensors.Select(t => t.Name));
        Assert.Equal(3, plan.LayerCount);
        Assert.All(plan.Tensors, t =>
        {
            Assert.Equal("base", t.Base!.Model.Name);
            Assert.Equal(["a", "b"], t.Models.Select(m => m.Model.Name));
            Assert.Equal(t.Name, t.Models[0].TensorName);
        });
        Assert.Equal("base", plan.ConfigDonor.Name);
        Assert.Equal(3, (int)plan.OutputConfig["num_hidden_layers"]!);

        double WeightOfA(string tensor) => plan.Tensors.Single(t => t.Name == tensor).Models[0].Parameters.Get("weight");
        Assert.Equal(0.0, WeightOfA("model.embed_tokens.weight"));
        Assert.Equal(0.0, WeightOfA("model.layers.0.mlp.up_proj.weight"));
        Assert.Equal(0.5, WeightOfA("model.layers.1.mlp.up_proj.weight"));
        Assert.Equal(1.0, WeightOfA("model.layers.2.mlp.up_proj.weight"));
        Assert.Equal(0.0, WeightOfA("model.norm.weight"));
        Assert.Equal(0.0, WeightOfA("lm_head.weight"));
        Assert.All(plan.Tensors, t => Assert.Equal(1.0, t.Models[0].Parameters.Get("density")));
    }

    [Fact]
    public void Slices_stack_layers_restart_gradients_and_take_the_head_from_the_last_slice()
    {
        using var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(layers: 4);
        ws.Model("a", spec, 1);
        ws.Model("b", spec, 2);
        using var plan = ws.Plan("""
            slices:
              - sources: [{model: a, layer_range: [0, 3]}]
              - sources:
                  - model: b
                    layer_range: [1, 4]
                    parameters:
                      scale: [{filter: layers.2., value: 7}, {value: [0, 1]}]
            merge_method: passthrough
            """);

        Assert.Equal(6, plan.LayerCount);
        Assert.Equal(6, (int)plan.OutputConfig["num_hidden_layers"]!);
        PlannedTensor Tensor(string name) => plan.Tensors.Single(t => t.Name == name);

        Assert.Equal("a", Tensor("model.embed_tokens.weight").Models.Single().Model.Name);
        Assert.Equal("b", Tensor("model.norm.weight").Models.Single().Model.Name);
        Assert.Equal("b", Tensor("lm_head.weight").Models.Single().Model.Name);
        Assert.Equal(0.0, Tensor("lm_head.weight").T);

        var fromA = Tensor("model.layers.2.mlp.up_proj.weight").Models.Single();
        Assert.Equal(("a", "model.layers.2.mlp.up_proj.weight"), (fromA.Model.Name, fromA.TensorName));
        Assert.False(fromA.Parameters.Has("scale"));

        var firstOfB = Tensor("model.layers.3.mlp.up_proj.weight");
        Assert.Equal(("b", "model.layers.1.mlp.up_proj.weight"), (firstOfB.Models[0].Model.Name, firstOfB.Models[0].TensorName));
        Assert.Equal(0.0, firstOfB.T);
        Assert.Equal(0.0, firstOfB.Models[0].Parameters.Get("scale"));

        var filtered = Tensor("model.layers.4.self_attn.q_proj.weight");
        Assert.Equal("model.layers.2.self_attn.q_proj.weight", filtered.Models[0].TensorName);
        Assert.Equal(0.5, filtered.T);
        Assert.Equal(7.0, filtered.Models[0].Parameters.Get("scale"));

        var last = Tensor("model.layers.5.mlp.down_proj.weight");
        Assert.Equal(("model.layers.3.mlp.down_proj.weight", 1.0), (last.Models[0].TensorName, last.T));
        Assert.Equal(1.0, last.Models[0].Parameters.Get("scale"));
    }

    [Fact]
    public void A_trailing_empty_slice_picks_the_head_donor()
    {
        using var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(layers: 2);
        ws.Model("a", spec, 1);
        ws.Model("b", spec, 2);
        using var plan = ws.Plan("""
            slices:
              - sources: [{model: a, layer_range: [0, 2]}]
              - sources: [{model: b, layer_range: [2, 2]}]
            merge_method: passthrough
            """);
        Assert.Equal(2, plan.LayerCount);
        Assert.Equal("b", plan.Tensors.Single(t => t.Name == "lm_head.weight").Models[0].Model.Name);
        Assert.All(plan.Tensors.Where(t => t.Role.Group == TensorGroup.Layer), t => Assert.Equal("a", t.Models[0].Model.Name));
    }

    [Fact]
    public void Global_gradients_give_embeddings_and_head_the_first_value_and_a_one_layer_slice_the_last()
    {
        using var ws = new RecipeWorkspace();
        ws.Model("a", RecipeWorkspace.Spec(layers: 3), 1);
        ws.Model("b", RecipeWorkspace.Spec(layers: 3), 2);
        using var plan = ws.Plan("""
            slices:
              - sources:
                  - {model: a, layer_range: [0, 2]}
                  - {model: b, layer_range: [0, 2]}
              - sources:
                  - {model: a, layer_range: [2, 3]}
                  - {model: b, layer_range: [2, 3]}
            merge_method: slerp
            base_model: a
            parameters:
              t: [0.2, 0.8]
            """);
        double T(string name) => plan.Tensors.Single(t => t.Name == name).Global.Get("t");
        Assert.Equal(0.2, T("model.embed_tokens.weight"));
        Assert.Equal(0.2, T("model.layers.0.input_layernorm.weight"));
        Assert.Equal(0.8, T("model.layers.1.input_layernorm.weight"));
        Assert.Equal(0.8, T("model.layers.2.input_layernorm.weight"));
        Assert.Equal(0.2, T("model.norm.weight"));
        Assert.Equal(0.2, T("lm_head.weight"));
    }

    [Fact]
    public void Dtypes_default_to_the_stored_dtype_and_follow_dtype_and_out_dtype()
    {
        using var ws = new RecipeWorkspace();
        ws.Model("a", RecipeWorkspace.Spec(layers: 1, TorchSharp.torch.ScalarType.Float16), 1);
        using (var stored = ws.Plan("models: [{model: a}]\nmerge_method: passthrough\n"))
        {
            Assert.All(stored.Tensors, t => Assert.Equal((TorchSharp.torch.ScalarType.Float16, TorchSharp.torch.ScalarType.Float16), (t.ComputeDType, t.OutputDType)));
            Assert.Equal("float16", (string)stored.OutputConfig["torch_dtype"]!);
        }
        using var cast = ws.Plan("models: [{model: a}]\nmerge_method: passthrough\ndtype: float32\nout_dtype: bfloat16\n");
        Assert.All(cast.Tensors, t => Assert.Equal((TorchSharp.torch.ScalarType.Float32, TorchSharp.torch.ScalarType.BFloat16), (t.ComputeDType, t.OutputDType)));
        Assert.Equal("bfloat16", (string)cast.OutputConfig["torch_dtype"]!);
    }

    [Fact]
    public void Without_base_model_the_first_listed_model_donates_config_and_tokenizer()
    {
        using var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(layers: 1);
        ws.Model("a", spec, 1);
        ws.Model("b", spec, 2);
        using var plan = ws.Plan("models: [{model: b, parameters: {weight: 1}}, {model: a, parameters: {weight: 1}}]\nmerge_method: linear\n");
        Assert.Equal("b", plan.ConfigDonor.Name);
        Assert.Same(plan.ConfigDonor, plan.TokenizerDonor);
        Assert.All(plan.Tensors, t => Assert.Null(t.Base));

        using var withSource = ws.Plan("models: [{model: b, parameters: {weight: 1}}, {model: a, parameters: {weight: 1}}]\nmerge_method: linear\ntokenizer_source: a\n");
        Assert.Equal("a", withSource.TokenizerDonor.Name);
    }

    [Fact]
    public void The_fake_method_lookup_is_used_when_given()
    {
        using var ws = new RecipeWorkspace();
        ws.Model("a", RecipeWorkspace.Spec(layers: 1), 1);
        var method = FakeMergeMethod.Passthrough();
        using var plan = ws.Plan("models: [{model: a}]\nmerge_method: passthrough\n", method.Lookup);
        Assert.Same(method, plan.Method);
    }
}
