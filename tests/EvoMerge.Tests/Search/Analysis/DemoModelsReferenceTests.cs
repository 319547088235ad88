using System.Text.Json;
using EvoMerge.Search.Analysis;
using Xunit;

namespace EvoMerge.Tests.Search.Analysis;

/// <summary>
/// evomerge analyze's numbers on the bundled demo models equal an independent numpy/torch computation
/// (tests/fixtures/analyze/reference.py, its output committed as expected.json).
/// </summary>
public class DemoModelsReferenceTests
{
    private static readonly string[] Specialists = ["addition", "reversal", "capitals"];

    private static AnalysisReport Analyze() =>
        ModelAnalysis.Run(RepositoryPaths.Combine("models", "base"), [.. Specialists.Select(s => RepositoryPaths.Combine("models", s))], [], _ => { });

    [Fact]
    public void NormsCosinesSignConflictsTrimEnergyAndOverlapMatchTheReference()
    {
        var report = Analyze();
        using var expected = JsonDocument.Parse(File.ReadAllText(RepositoryPaths.Combine("tests", "fixtures", "analyze", "expected.json")));
        var groups = expected.RootElement.GetProperty("groups");
        Assert.Equal(5, groups.EnumerateObject().Count());
        foreach (var group in groups.EnumerateObject())
        {
            var actual = report.Groups.Single(g => g.Group == group.Name);
            var reference = group.Value;
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(reference.GetProperty("relative_norms")[i].GetDouble(), actual.RelativeNorms[i], 1e-12);
                var kept = reference.GetProperty("trim_energy_kept")[i];
                for (int d = 0; d < 9; d++) Assert.Equal(kept[d].GetDouble(), actual.TrimEnergyKept[i][d], 1e-12);
            }
            foreach (var pair in reference.GetProperty("pairs").EnumerateObject())
            {
                var names = pair.Name.Split('/');
                var mine = actual.Pairs.Single(p => p.A == names[0] && p.B == names[1]);
                Assert.Equal(pair.Value.GetProperty("cosine").GetDouble(), mine.Cosine!.Value, 1e-12);
                Assert.Equal(pair.Value.GetProperty("sign_conflict_rate").GetDouble(), mine.SignConflictRate!.Value, 1e-15);
                Assert.Equal(pair.Value.GetProperty("subspace_overlap").GetDouble(), mine.SubspaceOverlap!.Value, 1e-6);
            }
        }
    }

    [Fact]
    public void TheDemoSpecialistsAreCompatibleFineTunesAndGetTies()
    {
        var report = Analyze();
        Assert.True(report.Compatible, report.ToText());
        Assert.Equal(12, report.Checks.Count);
        Assert.All(report.Checks, c => Assert.True(c.Passed, c.Detail));
        // R7/R8: three models; density 0.4 is the first at which every model keeps ≥ 80 % (expected.json: 0.888, 0.872, 0.838; at 0.3: 0.801, 0.783, 0.730).
        Assert.Equal("ties", report.Recommendation.Method);
        Assert.Equal(0.4, report.Recommendation.Parameters["density"]);
        Assert.Contains("verdict: compatible", report.ToText(), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(report.ToJson());
        Assert.Equal("ties", json.RootElement.GetProperty("recommendation").GetProperty("method").GetString());
    }
}
