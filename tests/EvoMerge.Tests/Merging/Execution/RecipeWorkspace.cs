using System.Text.Json.Nodes;
using EvoMerge.Merging;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Tests.Merging.Execution;

/// <summary>
/// A temporary directory holding tiny random models (with stand-in tokenizer files), a recipe.yml and an "out"
/// directory; merges run the same steps as <c>evomerge merge</c>: read, plan, open the output, execute.
/// </summary>
internal sealed class RecipeWorkspace : IDisposable
{
    public RecipeWorkspace()
    {
        Root = Path.Combine(Path.GetTempPath(), "evomerge-recipe-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public string Out => Path.Combine(Root, "out");

    public static TinyDecoderSpec Spec(int layers, torch.ScalarType dtype = torch.ScalarType.Float32) =>
        new() { Layers = layers, HiddenSize = 16, IntermediateSize = 24, Heads = 2, KeyValueHeads = 1, VocabSize = 32, DType = dtype };

    /// <summary>Writes a random model; <paramref name="edit"/> may change the weights before they are written.</summary>
    public string Model(string name, TinyDecoderSpec spec, long seed, Action<List<(string Name, torch.Tensor Tensor)>>? edit = null)
    {
        string dir = Path.Combine(Root, name);
        var weights = TinyDecoderWriter.RandomWeights(spec, seed);
        try
        {
            edit?.Invoke(weights);
            TinyDecoderWriter.Write(dir, spec, weights);
        }
        finally
        {
            foreach (var (_, t) in weights) t.Dispose();
        }
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), $"{{\"model\": \"{name}\"}}\n");
        File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), $"{{\"name\": \"{name}\"}}\n");
        File.WriteAllText(Path.Combine(dir, "generation_config.json"), "{\"max_new_tokens\": 5}\n");
        return dir;
    }

    /// <summary>A fine-tune: the weights of the model written with <paramref name="baseSeed"/> plus N(0, noise²) everywhere.</summary>
    public string FineTune(string name, TinyDecoderSpec spec, long baseSeed, long seed, double noise = 0.01) =>
        Model(name, spec, baseSeed, weights =>
        {
            using var generator = new torch.Generator((ulong)seed);
            using var scale = noise.ToScalar();
            for (int i = 0; i < weights.Count; i++)
            {
                var (n, t) = weights[i];
                using var scope = torch.NewDisposeScope();
                var tuned = t.to(torch.ScalarType.Float32).add(torch.randn(t.shape, generator: generator).mul_(scale)).to(t.dtype).MoveToOuterDisposeScope();
                t.Dispose();
                weights[i] = (n, tuned);
            }
        });

    /// <summary>Rewrites one field of a model's config.json.</summary>
    public void SetConfigField(string model, string field, JsonNode value)
    {
        string path = Path.Combine(Root, model, "config.json");
        var config = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        config[field] = value;
        File.WriteAllText(path, config.ToJsonString());
    }

    public string WriteRecipe(string yaml)
    {
        string path = Path.Combine(Root, "recipe.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    public MergePlan Plan(string yaml, Func<string, IMergeMethod>? methods = null) =>
        MergePlanner.Build(RecipeReader.ReadFile(WriteRecipe(yaml)), methods);

    /// <summary>Runs a recipe into <see cref="Out"/> as the CLI does.</summary>
    public void Merge(string yaml, Func<string, IMergeMethod>? methods = null, long maxShardBytes = SafetensorsWriter.DefaultMaxShardBytes,
        bool allowOverwrite = false, ulong seed = 0)
    {
        using var plan = Plan(yaml, methods);
        using var sink = ModelDirectorySink.Create(plan, Out, maxShardBytes, allowOverwrite);
        using var executor = new MergeExecutor(plan, new MergeExecutionOptions { Seed = seed });
        executor.Run(sink);
    }

    /// <summary>A tensor of a model in this workspace (or of the output, "out"), as float32.</summary>
    public torch.Tensor Load(string model, string tensor)
    {
        using var weights = ModelWeights.Open(Path.Combine(Root, model));
        return weights.Load(tensor, torch.ScalarType.Float32);
    }

    /// <summary>True when both tensors have the same shape and the same values (compared as float64).</summary>
    public static bool Identical(torch.Tensor expected, torch.Tensor actual)
    {
        using var scope = torch.NewDisposeScope();
        return expected.shape.SequenceEqual(actual.shape)
            && (expected.to(torch.ScalarType.Float64) - actual.to(torch.ScalarType.Float64)).abs().max().item<double>() == 0;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, true);
        }
        catch (IOException)
        {
        }
    }
}
