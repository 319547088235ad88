using EvoMerge.Demo;
using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// Inputs are checked before anything is trusted: a search over a source whose tensor shapes differ from the base's
/// is one line naming the model and the tensor, exit 1, and no archive (before, exit 0 with an empty archive); a merge
/// of a model holding NaN is one line naming the file and the tensor, exit 1, unless <c>--allow-nonfinite</c>.
/// </summary>
public sealed class InputCheckCliTests
{
    [Fact]
    public void ASearchOverASourceOfAnotherShapeIsOneLineAndExitOne()
    {
        using var temp = new TempDirectory();
        var layout = TinySpecialists.Write(temp.Path);
        Directory.Delete(layout.SpecialistA, recursive: true);
        TinyDecoderWriter.WriteRandom(layout.SpecialistA, TinySpecialists.Spec with { IntermediateSize = 48 }, seed: 5);
        string config = Path.Combine(temp.Path, "search.yml");
        File.WriteAllText(config, layout.SearchYaml(population: 4) + "budget:\n  generations: 1\nseed: 1\nrun_dir: runs/r\n");

        var result = CliRunner.Run(TimeSpan.FromMinutes(2), "search", config);

        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("evomerge: error: ", line, StringComparison.Ordinal);
        Assert.EndsWith($"models[0]: model {layout.SpecialistA}: tensor model.layers.0.mlp.gate_proj.weight has shape [48, 32], base has [64, 32]", line, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(temp.Path, "runs", "r", "archive.json")));
    }

    [Fact]
    public void AMergeOfAModelHoldingNanIsRefusedUnlessAllowed()
    {
        using var temp = new TempDirectory();
        var spec = TinySpecialists.Spec;
        string a = Path.Combine(temp.Path, "a"), b = Path.Combine(temp.Path, "b");
        TinyDecoderWriter.WriteRandom(a, spec, seed: 1);
        var weights = TinyDecoderWriter.RandomWeights(spec, 2);
        using (var flat = weights.Single(w => w.Name == "model.norm.weight").Tensor.view(-1)) flat[0].fill_(float.NaN);
        TinyDecoderWriter.Write(b, spec, weights);
        foreach (var (_, tensor) in weights) tensor.Dispose();
        string recipe = Path.Combine(temp.Path, "recipe.yml");
        File.WriteAllText(recipe, "models:\n  - model: a\n    parameters: {weight: 1}\n  - model: b\n    parameters: {weight: 1}\nmerge_method: linear\n");
        string file = Path.Combine(b, "model.safetensors");

        var refused = CliRunner.Run(TimeSpan.FromMinutes(2), "merge", recipe, Path.Combine(temp.Path, "out"));
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal($"evomerge: error: {file}: tensor 'model.norm.weight' holds NaN or infinite values (evomerge merge --allow-nonfinite merges it anyway)",
            Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        var allowed = CliRunner.Run(TimeSpan.FromMinutes(2), "merge", recipe, Path.Combine(temp.Path, "allowed"), "--allow-nonfinite");
        Assert.True(allowed.ExitCode == 0, allowed.Stderr);
        Assert.Contains($"evomerge: warning: {file}: tensor 'model.norm.weight' holds NaN or infinite values; merged anyway (--allow-nonfinite)", allowed.Stderr);
        Assert.True(File.Exists(Path.Combine(temp.Path, "allowed", "model.safetensors")));
    }
}
