using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge merge</c> with Hub model names (<c>org/name[@revision]</c>) resolved from the HuggingFace cache that
/// <c>HF_HUB_CACHE</c> names, as a child process; a name not in the cache is one error line naming it and the cache
/// folder, exit code 1.
/// </summary>
public class HubModelNameCliTests
{
    private const string Commit = "0123456789abcdef0123456789abcdef01234567";

    private static readonly TinyDecoderSpec Spec = new() { Layers = 2, DType = torch.ScalarType.Float32 };

    /// <summary>A cache holding evomerge-test/a at main and evomerge-test/b at tag v1 (huggingface_hub's layout).</summary>
    private static string WriteCache(TempDirectory dir)
    {
        string cache = dir.Combine("hf", "hub");
        foreach (var (repo, reference, seed) in new[] { ("a", "main", 1L), ("b", "v1", 2L) })
        {
            string repository = Path.Combine(cache, "models--evomerge-test--" + repo);
            Directory.CreateDirectory(Path.Combine(repository, "refs"));
            File.WriteAllText(Path.Combine(repository, "refs", reference), Commit);
            TinyDecoderWriter.WriteRandom(Path.Combine(repository, "snapshots", Commit), Spec, seed);
        }
        return cache;
    }

    private static ChildProcess Merge(string cache, string recipe, string output) =>
        ChildProcess.Start(new Dictionary<string, string> { ["HF_HUB_CACHE"] = cache }, "merge", recipe, output);

    [Fact]
    public void Hub_names_merge_from_the_local_cache_and_the_saved_recipe_keeps_the_names()
    {
        using var dir = new TempDirectory();
        string cache = WriteCache(dir);
        string recipe = dir.Combine("recipe.yml");
        File.WriteAllText(recipe, """
            models:
              - model: evomerge-test/a
                parameters: {weight: 0.25}
              - model: evomerge-test/b@v1
                parameters: {weight: 0.75}
            merge_method: linear
            dtype: float32
            """);
        string output = dir.Combine("out");
        using (var merge = Merge(cache, recipe, output))
        {
            Assert.True(merge.WaitForExit(TimeSpan.FromMinutes(2)), "merge did not exit");
            Assert.True(merge.ExitCode == 0, merge.Stderr);
        }
        using var scope = torch.NewDisposeScope();
        using var a = ModelWeights.Open(Path.Combine(cache, "models--evomerge-test--a", "snapshots", Commit));
        using var b = ModelWeights.Open(Path.Combine(cache, "models--evomerge-test--b", "snapshots", Commit));
        using var merged = ModelWeights.Open(output);
        const string name = "model.layers.1.mlp.down_proj.weight";
        var expected = (a.Load(name) * 0.25f + b.Load(name) * 0.75f) / 1.0f;
        Assert.True((expected - merged.Load(name)).abs().max().item<float>() <= 1e-6f);
        string saved = File.ReadAllText(Path.Combine(output, "evomerge_recipe.yml"));
        Assert.Contains("model: evomerge-test/b@v1", saved, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hub_name_not_in_the_cache_is_one_error_line_naming_it_and_the_cache_folder()
    {
        using var dir = new TempDirectory();
        string cache = WriteCache(dir);
        string recipe = dir.Combine("recipe.yml");
        File.WriteAllText(recipe, "models:\n  - model: evomerge-test/a@v2\nmerge_method: linear\n");
        using var merge = Merge(cache, recipe, dir.Combine("out"));
        Assert.True(merge.WaitForExit(TimeSpan.FromMinutes(2)), "merge did not exit");
        Assert.Equal(1, merge.ExitCode);
        string folder = Path.Combine(cache, "models--evomerge-test--a");
        Assert.Equal($"evomerge: error: {recipe}:2: models[0].model 'evomerge-test/a@v2': no local directory {dir.Combine("evomerge-test", "a")}, and revision 'v2' is not in the HuggingFace cache {folder} (EvoMerge does not download; fetch it first, e.g. huggingface-cli download evomerge-test/a --revision v2)",
            merge.Stderr.Trim());
        Assert.False(Directory.Exists(dir.Combine("out")));
    }
}
