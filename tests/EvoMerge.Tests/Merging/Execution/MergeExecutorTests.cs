using System.Text.Json.Nodes;
using EvoMerge.Merging;
using EvoMerge.Merging.Execution;
using EvoMerge.Tensors;
using EvoMerge.Tests.Merging.Recipes;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Execution;

public class MergeExecutorTests
{
    private const string Ties = """
        models:
          - model: a
            parameters: {weight: 0.7, density: 0.5}
          - model: b
            parameters: {weight: [0.2, 0.6]}
        merge_method: ties
        base_model: base
        dtype: float32
        out_dtype: bfloat16
        """;

    private static RecipeWorkspace ThreeModels(int layers = 2)
    {
        var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(layers, torch.ScalarType.Float16);
        ws.Model("base", spec, 1);
        ws.FineTune("a", spec, 1, 2);
        ws.FineTune("b", spec, 1, 3);
        return ws;
    }

    [Fact]
    public void The_output_directory_holds_shards_index_config_tokenizer_files_and_the_recipe()
    {
        using var scope = torch.NewDisposeScope();
        using var ws = ThreeModels();
        ws.Merge(Ties, maxShardBytes: 4096);

        using var merged = ModelDirectory.Open(ws.Out);
        merged.Validate();
        Assert.True(merged.Weights.ShardFiles.Count > 1);
        Assert.All(merged.Weights.ShardFiles, f => Assert.Matches(@"^model-\d{5}-of-\d{5}\.safetensors$", f));
        var index = JsonNode.Parse(File.ReadAllText(Path.Combine(ws.Out, ModelWeights.IndexFileName)))!;
        Assert.Equal(merged.Weights.Names.Count, index["weight_map"]!.AsObject().Count);
        Assert.All(merged.Weights.Names, n => Assert.Equal(DType.BF16, merged.Weights.Info(n).DType));

        Assert.Equal(2, merged.Config.NumHiddenLayers);
        Assert.Equal("bfloat16", merged.Config.TorchDtype);
        // The saved recipe is the original text with its relative model paths rewritten relative to the output directory.
        string expectedRecipe = File.ReadAllText(Path.Combine(ws.Root, "recipe.yml"))
            .Replace("model: a\n", "model: \"../a\"\n", StringComparison.Ordinal)
            .Replace("model: b\n", "model: \"../b\"\n", StringComparison.Ordinal)
            .Replace("base_model: base\n", "base_model: \"../base\"\n", StringComparison.Ordinal);
        Assert.Equal(expectedRecipe, File.ReadAllText(Path.Combine(ws.Out, ModelDirectorySink.RecipeFileName)));
        Assert.Equal("{\"model\": \"base\"}\n", File.ReadAllText(Path.Combine(ws.Out, "tokenizer.json")));
        Assert.True(File.Exists(Path.Combine(ws.Out, "tokenizer_config.json")));
        Assert.True(File.Exists(Path.Combine(ws.Out, "generation_config.json")));
        Assert.Empty(Directory.GetFiles(ws.Out, "*" + AtomicFile.TempSuffix));
    }

    [Fact]
    public void Disk_output_equals_the_in_memory_merge_cast_to_the_output_dtype()
    {
        using var scope = torch.NewDisposeScope();
        using var ws = ThreeModels();
        ws.Merge(Ties);
        using var plan = ws.Plan(Ties);
        using var sink = new InMemoryTensorSink();
        using (var executor = new MergeExecutor(plan))
        {
            executor.Run(sink);
            Assert.Equal(plan.InputBytes, executor.BytesRead);
        }
        Assert.True(sink.Completed);
        Assert.Equal(plan.Tensors.Count, sink.Tensors.Count);
        foreach (var (name, tensor) in sink.Tensors)
        {
            Assert.Equal(torch.ScalarType.BFloat16, tensor.dtype);
            Assert.True(RecipeWorkspace.Identical(tensor.to(torch.ScalarType.Float32), ws.Load("out", name)), name);
        }
    }

    [Fact]
    public void Inputs_are_cast_to_the_compute_dtype_before_the_method_sees_them()
    {
        using var scope = torch.NewDisposeScope();
        using var ws = ThreeModels(layers: 1);
        var method = new FakeMergeMethod("probe", BaseModelRule.Required, 1, null);
        using var plan = ws.Plan("models: [{model: a}, {model: b}]\nmerge_method: probe\nbase_model: base\ndtype: float32\nout_dtype: float16\n", method.Lookup);
        using var sink = new InMemoryTensorSink();
        using var executor = new MergeExecutor(plan);
        executor.Run(sink);

        const string name = "model.layers.0.mlp.up_proj.weight";
        var expected = ws.Load("base", name) + ws.Load("a", name) + ws.Load("b", name);
        Assert.Equal(torch.ScalarType.Float16, sink.Tensors[name].dtype);
        Assert.True(RecipeWorkspace.Identical(expected.to(torch.ScalarType.Float16), sink.Tensors[name]));
        Assert.Equal("base", method.Calls[0].Base);
        Assert.Equal(["a", "b"], method.Calls[0].Models);
    }

    [Fact]
    public void Random_draws_depend_on_the_seed_and_the_tensor_name_not_on_the_visit_order()
    {
        using var scope = torch.NewDisposeScope();
        using var ws = ThreeModels();
        Dictionary<string, double> Draws(ulong seed, bool reverse)
        {
            var method = new FakeMergeMethod("dare", BaseModelRule.Required, 1, null) { UsesRandomness = true };
            using var plan = ws.Plan("models: [{model: a}, {model: b}]\nmerge_method: dare\nbase_model: base\n", method.Lookup);
            using var executor = new MergeExecutor(plan, new MergeExecutionOptions { Seed = seed });
            var order = reverse ? plan.Tensors.Reverse() : plan.Tensors;
            foreach (var tensor in order)
            {
                using var inner = torch.NewDisposeScope();
                executor.Merge(tensor);
            }
            return method.Calls.ToDictionary(c => c.Tensor, c => c.Draw);
        }

        var forward = Draws(7, reverse: false);
        var backward = Draws(7, reverse: true);
        var otherSeed = Draws(8, reverse: false);
        Assert.All(forward, d => Assert.Equal(d.Value, backward[d.Key]));
        Assert.True(forward.Values.Distinct().Count() > forward.Count / 2, "tensors get different streams");
        Assert.All(forward, d => Assert.NotEqual(d.Value, otherSeed[d.Key]));
    }

    [Fact]
    public void Tensor_seeds_are_fnv1a_over_the_seed_bytes_and_the_name()
    {
        Assert.Equal(TensorSeed.For(3, "x"), TensorSeed.For(3, "x"));
        Assert.NotEqual(TensorSeed.For(3, "x"), TensorSeed.For(4, "x"));
        Assert.NotEqual(TensorSeed.For(3, "x"), TensorSeed.For(3, "y"));
        ulong expected = 14695981039346656037;
        foreach (byte b in new byte[] { 3, 0, 0, 0, 0, 0, 0, 0, (byte)'x' }) expected = (expected ^ b) * 1099511628211;
        Assert.Equal(expected, TensorSeed.For(3, "x"));
    }

    [Fact]
    public void A_merge_leaves_no_live_tensors_behind()
    {
        using var ws = ThreeModels();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        ws.Merge(Ties);
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void A_method_error_leaves_no_output_directory()
    {
        using var ws = ThreeModels();
        var error = Assert.Throws<MergeException>(() => ws.Merge("""
            models:
              - model: a
                parameters: {weight: 1}
              - model: b
                parameters: {weight: -1}
            merge_method: linear
            """));
        Assert.Contains("linear weights sum to 0", error.Message);
        Assert.False(Directory.Exists(ws.Out));
    }

    [Fact]
    public void A_chat_template_is_written_into_tokenizer_config()
    {
        using var ws = ThreeModels(layers: 1);
        File.WriteAllText(Path.Combine(ws.Root, "base", "chat_template.jinja"), "old");
        const string template = "{% for m in messages %}{{ m['content'] }}{% endfor %}";
        ws.Merge($"models: [{{model: a, parameters: {{weight: 1}}}}]\nmerge_method: ties\nbase_model: base\nchat_template: \"{template}\"\n");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(ws.Out, "tokenizer_config.json")))!;
        Assert.Equal(template, (string)config["chat_template"]!);
        Assert.Equal("base", (string)config["name"]!);
        Assert.False(File.Exists(Path.Combine(ws.Out, "chat_template.jinja")));
    }

    [Fact]
    public void A_named_chat_template_is_written_into_tokenizer_config_as_its_text()
    {
        using var ws = ThreeModels(layers: 1);
        File.WriteAllText(Path.Combine(ws.Root, "base", "chat_template.jinja"), "old");
        ws.Merge("models: [{model: a, parameters: {weight: 1}}]\nmerge_method: ties\nbase_model: base\nchat_template: chatml\n");
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(ws.Out, "tokenizer_config.json")))!;
        string template = (string)config["chat_template"]!;
        Assert.StartsWith("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n'", template, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ws.Out, "chat_template.jinja")));
    }
}
