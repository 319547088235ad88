using System.Globalization;
using EvoMerge.Demo;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// A search config over <see cref="TinySpecialists"/>, written as <c>search.yml</c> in the layout's root: the layout's
/// search YAML, one evaluation block (<see cref="CheapFirst"/> or <see cref="Racing"/>), a generation budget, a seed
/// and a run directory.
/// </summary>
internal static class TinySearchConfig
{
    /// <summary>Cheap-first scoring on half of each task's items at confidence 0.9.</summary>
    public const string CheapFirst = "cheap_first:\n    fraction: 0.5\n    confidence: 0.9";

    /// <summary>Racing in 4 rounds at confidence 0.9 with a 5-point margin: it stops some candidates of a tiny search.</summary>
    public const string Racing = "racing:\n    rounds: 4\n    confidence: 0.9\n    margin: 0.05";

    /// <summary>Writes the config and returns its path.</summary>
    public static string Write(TinySpecialists.Layout layout, int population, string evaluation, int generations, int seed, string runDirectory)
    {
        string config = Path.Combine(layout.Root, "search.yml");
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture,
            $"{layout.SearchYaml(population)}evaluation:\n  {evaluation}\nbudget:\n  generations: {generations}\nseed: {seed}\nrun_dir: {runDirectory}\n"));
        return config;
    }
}
