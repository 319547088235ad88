using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// The bundled demo config (<c>experiments/demo/search.yml</c>) made runnable from a temporary directory: model and
/// task paths made absolute, a population of 4 (one generation of 4 candidates), optionally a smaller evaluation budget.
/// </summary>
internal static class SmallDemoConfig
{
    /// <summary>Writes the config as <c>search.yml</c> in <paramref name="temp"/> and returns its path.</summary>
    public static string Write(TempDirectory temp, int? evaluations = null)
    {
        string root = CliRunner.RepositoryRoot.TrimEnd('/');
        string text = File.ReadAllText(Path.Combine(root, "experiments", "demo", "search.yml"))
            .Replace("../../", root + "/", StringComparison.Ordinal)
            .Replace("population_size: 16", "population_size: 4", StringComparison.Ordinal);
        Assert.Contains("population_size: 4", text);
        if (evaluations is { } n)
        {
            text = text.Replace("evaluations: 190", $"evaluations: {n}", StringComparison.Ordinal);
            Assert.Contains($"evaluations: {n},", text);
        }
        string config = temp.Combine("search.yml");
        File.WriteAllText(config, text);
        return config;
    }
}
