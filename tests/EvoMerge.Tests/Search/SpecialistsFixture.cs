using EvoMerge.Demo;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using Xunit;

namespace EvoMerge.Tests.Search;

/// <summary>The tiny specialists problem, written once per test class.</summary>
public sealed class SpecialistsFixture : IDisposable
{
    private readonly TempDirectory _directory = new("evomerge-search");

    public SpecialistsFixture()
    {
        Layout = TinySpecialists.Write(_directory.Path);
    }

    public TinySpecialists.Layout Layout { get; }

    /// <summary>Writes a config into the problem directory and returns its path.</summary>
    public string Config(string name, string genome, string optimizer = "nsga2", int population = 8, int generations = 4, string extra = "", string objectives = "")
    {
        string text = $"""
            base_model: models/base
            models: [models/a, models/b]
            {(objectives.Length > 0 ? objectives : Layout.ObjectivesYaml())}
            genome:
            {genome}
            optimizer:
              name: {optimizer}
              settings:
                {(optimizer == "random" ? "batch_size" : "population_size")}: {population}
            budget:
              generations: {generations}
            seed: 5
            run_dir: runs/{name}
            {extra}
            """;
        string path = Path.Combine(Layout.Root, name + ".yml");
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>
    /// Runs the same search twice: NAME-whole uninterrupted, and NAME-split for two generations, then resumed from its
    /// checkpoint to the end (asserting the resume starts at generation 2); returns both configs.
    /// </summary>
    public (SearchConfig Whole, SearchConfig Split) RunWholeAndResumed(string name, string genome, int population, int generations, string extra)
    {
        var whole = SearchConfigReader.ReadFile(Config(name + "-whole", genome, population: population, generations: generations, extra: extra));
        using (var run = SearchRun.Start(whole)) run.Run();
        var split = SearchConfigReader.ReadFile(Config(name + "-split", genome, population: population, generations: generations, extra: extra));
        using (var run = SearchRun.Start(split))
        {
            run.RunGeneration();
            run.RunGeneration();
        }
        using (var run = SearchRun.Resume(split.RunDirectory))
        {
            Assert.Equal(2, run.Generation);
            run.Run();
        }
        return (whole, split);
    }

    public string RunDirectory(string name) => Path.Combine(Layout.Root, "runs", name);

    public void Dispose() => _directory.Dispose();
}
