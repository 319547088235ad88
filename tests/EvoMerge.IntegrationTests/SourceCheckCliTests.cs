using EvoMerge.Demo;
using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// Sources are checked before anything runs: a search over a source whose tensor shapes differ from the base's is
/// one line naming the model and the tensor, exit 1, and no archive (before, exit 0 with an empty archive).
/// </summary>
public sealed class SourceCheckCliTests
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
}
