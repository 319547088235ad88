using System.Text.Json;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary><c>evomerge analyze</c> as a child process on the bundled demo models: report, JSON, plots, and a one-line error for a bad directory.</summary>
public class AnalyzeCommandTests
{
    private static string Demo(string name) => Path.Combine(CliRunner.RepositoryRoot, "models", name);

    [Fact]
    public void AnalyzeWritesTheReportJsonAndPlots()
    {
        using var dir = new TempDirectory();
        string json = Path.Combine(dir.Path, "analysis.json"), plots = Path.Combine(dir.Path, "plots");
        var result = CliRunner.Run(TimeSpan.FromMinutes(5), "analyze", Demo("base"), Demo("addition"), Demo("reversal"), Demo("capitals"), "--json", json, "--plots", plots);
        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Contains("verdict: compatible", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("Recommendation: ties (density 0.4, weight 1.0)", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"wrote {json}", result.Stdout, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(3, report.RootElement.GetProperty("models").GetArrayLength());
        Assert.True(report.RootElement.GetProperty("compatible").GetBoolean());
        foreach (string png in new[] { "cosine-per-layer.png", "sign-conflict-per-layer.png" })
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(plots, png));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        }
    }

    [Fact]
    public void AMissingModelDirectoryIsAOneLineError()
    {
        using var dir = new TempDirectory();
        var result = CliRunner.Run("analyze", Demo("base"), Path.Combine(dir.Path, "missing"));
        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith("evomerge: error: ", result.Stderr, StringComparison.Ordinal);
        Assert.Single(result.Stderr.TrimEnd().Split('\n'));
    }
}
