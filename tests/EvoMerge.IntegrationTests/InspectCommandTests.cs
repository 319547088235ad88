using Xunit;
using System.Text.Json;

namespace EvoMerge.IntegrationTests;

public class InspectCommandTests
{
    private static string Fixture => Path.Combine(CliRunner.RepositoryRoot, "tests", "fixtures", "tiny-llama");

    [Fact]
    public void HelpListsEveryCommand()
    {
        var result = CliRunner.Run("--help");
        Assert.Equal(0, result.ExitCode);
        foreach (string command in new[] { "merge", "eval", "tokenize", "search", "resume", "export", "demo", "inspect" })
            Assert.Contains(command, result.Stdout);
    }

    [Fact]
    public void InspectPrintsArchitectureParametersAndShards()
    {
        var result = CliRunner.Run("inspect", Fixture);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("LlamaForCausalLM", result.Stdout);
        int first = result.Stdout.IndexOf("model-00001-of-00002.safetensors", StringComparison.Ordinal);
        int second = result.Stdout.IndexOf("model-00002-of-00002.safetensors", StringComparison.Ordinal);
        Assert.True(first >= 0 && second > first, "shards are listed in order");
    }

    [Fact]
    public void InspectJsonAddsUpToTheFilesOnDisk()
    {
        var result = CliRunner.Run("inspect", Fixture, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        using var doc = JsonDocument.Parse(result.Stdout);
        var root = doc.RootElement;
        long onDisk = Directory.GetFiles(Fixture, "*.safetensors").Sum(f => new FileInfo(f).Length);
        Assert.Equal(onDisk, root.GetProperty("total_bytes").GetInt64());
        Assert.Equal(2, root.GetProperty("shards").GetArrayLength());
        // 2 layers of (2 norms of 32 + q 32x32 + k,v 16x32 + o 32x32 + 3 mlp 64x32) + embed 64x32 + norm 32 + head 64x32
        long expected = 2 * (2 * 32 + 32 * 32 + 2 * 16 * 32 + 32 * 32 + 3 * 64 * 32) + 64 * 32 + 32 + 64 * 32;
        Assert.Equal(expected, root.GetProperty("parameters").GetInt64());
        Assert.Equal("llama", root.GetProperty("model_type").GetString());
    }

    [Fact]
    public void CorruptModelGivesOneLineErrorAndNonZeroExit()
    {
        using var dir = new TempDirectory();
        foreach (string f in Directory.GetFiles(Fixture)) File.Copy(f, Path.Combine(dir.Path, Path.GetFileName(f)));
        string shard = dir.Combine("model-00002-of-00002.safetensors");
        var bytes = File.ReadAllBytes(shard);
        File.WriteAllBytes(shard, bytes[..(bytes.Length / 2)]);
        var result = CliRunner.Run("inspect", dir.Path);
        Assert.Equal(1, result.ExitCode);
        string line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("evomerge: error:", line);
        Assert.Contains("model-00002-of-00002.safetensors", line);
    }

    [Fact]
    public void MissingDirectoryIsAOneLineError()
    {
        var result = CliRunner.Run("inspect", "/nonexistent/model");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("/nonexistent/model", result.Stderr);
    }

    [Fact]
    public void ModelWithAnEmptySafetensorsHeaderGivesOneLineError()
    {
        using var dir = new TempDirectory();
        File.Copy(Path.Combine(Fixture, "config.json"), dir.Combine("config.json"));
        string weights = dir.Combine("model.safetensors");
        File.WriteAllBytes(weights, [2, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}']);
        var result = CliRunner.Run("inspect", dir.Path);
        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"evomerge: error: {weights}: holds no tensors (a model needs at least one)",
            Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
