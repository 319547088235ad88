using EvoMerge.Merging;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Search.Proxy;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search.Proxy;

/// <summary>esm's proxy activations on the bundled tiny models and their eval tasks, and esm recipes end to end.</summary>
public sealed class TaskProxyActivationsTests
{
    private static string Model(string name) => RepositoryPaths.Combine("models", name);

    private static string Task(string skill) => RepositoryPaths.Combine("datasets", skill, $"{skill}-answer.yml");

    private static TaskProxyActivations Proxy(int prompts = 4) => new(Model("base"),
        new Dictionary<string, string> { [Model("addition")] = Task("addition"), [Model("reversal")] = Task("reversal") }, prompts);

    [Fact]
    public void Layer_zero_attention_inputs_are_the_normed_embeddings_of_the_prompts()
    {
        using var scope = torch.NewDisposeScope();
        using var proxy = Proxy();
        var moment = proxy.InputSecondMoment(Model("addition"), "model.layers.0.self_attn.q_proj.weight")!;
        Assert.Same(moment, proxy.InputSecondMoment(Model("addition"), "model.layers.0.self_attn.v_proj.weight"));
        Assert.Null(proxy.InputSecondMoment(Model("addition"), "model.embed_tokens.weight"));
        Assert.Equal([384L, 384L], proxy.InputSecondMoment(Model("addition"), "model.layers.2.mlp.down_proj.weight")!.shape);

        using var directory = ModelDirectory.Open(Model("base"));
        var embed = directory.Weights.Load("model.embed_tokens.weight", torch.ScalarType.Float32);
        var norm = directory.Weights.Load("model.layers.0.input_layernorm.weight", torch.ScalarType.Float32);
        var ids = proxy.Prompts(Task("addition")).SelectMany(p => p).Select(t => (long)t).ToArray();
        var x = embed.index_select(0, torch.tensor(ids));
        var normed = x.mul(x.pow(2).mean([1], keepdim: true).add(directory.Config.RmsNormEps).rsqrt()).mul(norm);
        var expected = normed.t().matmul(normed).div(ids.Length);
        Assert.True((moment - expected).abs().max().ToDouble() < 1e-4 * expected.abs().max().ToDouble());
        // Another task's prompts give other moments.
        var other = proxy.InputSecondMoment(Model("reversal"), "model.layers.0.self_attn.q_proj.weight")!;
        Assert.True((other - moment).norm().ToDouble() > 1e-3 * moment.norm().ToDouble());
    }

    [Fact]
    public void A_model_without_a_proxy_task_is_an_error_naming_it()
    {
        using var proxy = Proxy();
        var e = Assert.Throws<MergeException>(() => proxy.InputSecondMoment(Model("capitals"), "model.layers.0.mlp.up_proj.weight"));
        Assert.Contains("capitals", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new TaskProxyActivations(Model("base"), new Dictionary<string, string>(), 33));
    }

    private static string Recipe(string method, string? proxy) => $"""
        merge_method: {method}
        base_model: {Model("base")}
        models:
          - model: {Model("addition")}
          - model: {Model("reversal")}
        dtype: float32
        {proxy}
        """;

    private static string ProxyTasks => $"proxy_tasks:\n  {Model("addition")}: {Task("addition")}\n  {Model("reversal")}: {Task("reversal")}\nproxy_prompts: 4";

    private static Dictionary<string, torch.Tensor> Merge(string text, IProxyActivations? proxy)
    {
        using var plan = MergePlanner.Build(RecipeReader.Parse(text, "recipe.yml", "/"));
        using var sink = new InMemoryTensorSink();
        using var executor = new MergeExecutor(plan, new MergeExecutionOptions { ProxyActivations = proxy });
        executor.Run(sink);
        return sink.Tensors.ToDictionary(t => t.Key, t => t.Value.clone());
    }

    [Fact]
    public void An_esm_recipe_merges_with_proxy_activations_and_differs_from_tsv_only_in_the_matrices()
    {
        using var scope = torch.NewDisposeScope();
        using var proxy = Proxy();
        var esm = Merge(Recipe("esm", ProxyTasks), proxy);
        var tsv = Merge(Recipe("tsv", null), null);
        const string up = "model.layers.1.mlp.up_proj.weight";
        Assert.True(esm[up].isfinite().all().ToBoolean());
        Assert.True((esm[up] - tsv[up]).norm().ToDouble() > 1e-6);
        TensorAssertNear(tsv["model.layers.1.input_layernorm.weight"], esm["model.layers.1.input_layernorm.weight"]);
    }

    [Fact]
    public void The_search_materialiser_builds_an_esm_candidate_bit_identical_to_evomerge_merge()
    {
        using var scope = torch.NewDisposeScope();
        var config = new EvoMerge.Search.Configuration.GenomeConfig(["esm"], 2, new EvoMerge.Search.Configuration.GeneRanges(), null);
        var layout = new EvoMerge.Search.Genomes.GenomeLayout(config, 2, 4);
        string[] sources = [Model("addition"), Model("reversal")];
        string[] tasks = [Task("addition"), Task("reversal")];
        var composer = new EvoMerge.Search.Genomes.RecipeComposer(layout, Model("base"), sources, torch.ScalarType.Float32, 3, proxyTasks: tasks, proxyPrompts: 4);
        var genome = layout.Space.RandomGenome(new EvoMerge.Optimization.SearchRandom(5));
        var recipe = composer.Compose(layout.Decode(genome));
        using var materializer = new EvoMerge.Search.Materialization.CandidateMaterializer(Model("base"), sources, torch.ScalarType.Float32,
            proxyActivations: new TaskProxyActivations(Model("base"), sources.Zip(tasks).ToDictionary(p => p.First, p => p.Second), 4));
        materializer.Materialize(recipe);
        using var proxy = Proxy();
        var merged = Merge(recipe.ParameterSpace, proxy);
        foreach (var (name, tensor) in merged)
            Assert.True(tensor.eq(materializer.Model.Parameters[name]).all().ToBoolean(), name);
    }

    private static void TensorAssertNear(torch.Tensor expected, torch.Tensor actual) =>
        Assert.True((expected - actual).abs().max().ToDouble() < 1e-6);

    [Theory]
    [InlineData("esm", "", "recipe.yml:1: esm needs proxy activations: add proxy_tasks")]
    [InlineData("ties", "proxy", "proxy_tasks is only read by methods that need proxy activations, not ties")]
    [InlineData("esm", "stranger", "proxy_tasks names")]
    [InlineData("esm", "missing", "eval task file /nowhere.yml not found")]
    public void Proxy_task_mistakes_are_recipe_errors(string method, string proxy, string expected)
    {
        string tasks = proxy switch
        {
            "" => "",
            "stranger" => $"proxy_tasks:\n  {Model("capitals")}: {Task("capitals")}",
            "missing" => ProxyTasks.Replace(Task("reversal"), "/nowhere.yml"),
            _ => ProxyTasks,
        };
        string text = Recipe(method, tasks);
        if (method == "ties") text = text.Replace($"model: {Model("reversal")}", $"model: {Model("reversal")}\n    parameters: {{weight: 1, density: 0.5}}")
            .Replace($"model: {Model("addition")}\n", $"model: {Model("addition")}\n    parameters: {{weight: 1, density: 0.5}}\n");
        var e = Assert.Throws<RecipeException>(() => MergePlanner.Build(RecipeReader.Parse(text, "recipe.yml", "/")).Dispose());
        Assert.Contains(expected, e.Message);
    }
}
