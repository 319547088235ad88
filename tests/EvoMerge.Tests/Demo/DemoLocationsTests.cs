using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.Tests.Demo;

/// <summary>The demo's defaults: a free run directory per seed, the multitask model beside the base, runs/ beside experiments/.</summary>
public class DemoLocationsTests
{
    [Fact]
    public void FreeRunDirectorySkipsDirectoriesHoldingASearch()
    {
        using var temp = new TempDirectory();
        string runs = temp.Combine("runs");
        Assert.Equal(Path.Combine(runs, "demo-3"), DemoLocations.FreeRunDirectory(runs, 3));
        foreach (string name in new[] { "demo-3", "demo-3-2" })
        {
            Directory.CreateDirectory(Path.Combine(runs, name));
            File.WriteAllText(Path.Combine(runs, name, "run.json"), "{}");
        }
        Directory.CreateDirectory(Path.Combine(runs, "demo-3-3")); // no run.json: free
        Assert.Equal(Path.Combine(runs, "demo-3-3"), DemoLocations.FreeRunDirectory(runs, 3));
        Assert.Equal(Path.Combine(runs, "demo-4"), DemoLocations.FreeRunDirectory(runs, 4));
    }

    [Fact]
    public void UpperBoundIsTheGivenModelOrMultitaskBesideTheBase()
    {
        using var temp = new TempDirectory();
        string baseModel = temp.Combine("models", "base");
        Directory.CreateDirectory(baseModel);
        Assert.Null(DemoLocations.UpperBound(null, baseModel));
        Directory.CreateDirectory(temp.Combine("models", "multitask"));
        Assert.Equal(temp.Combine("models", "multitask"), DemoLocations.UpperBound(null, baseModel + "/"));
        Assert.Equal("/elsewhere", DemoLocations.UpperBound("/elsewhere", baseModel));
    }

    [Fact]
    public void RunsAndDatasetsAreBesideExperimentsOfTheConfigsRepository()
    {
        using var temp = new TempDirectory();
        string config = temp.Combine("experiments", "demo", "search.yml");
        Assert.Equal(temp.Path, DemoLocations.RepositoryRoot(config));
        Assert.Equal(temp.Combine("runs"), DemoLocations.Runs(config));
        Assert.Equal(temp.Combine("datasets"), DemoLocations.Datasets(config));
        Assert.Equal(Path.Combine(Directory.GetCurrentDirectory(), "runs"), DemoLocations.Runs(temp.Combine("configs", "mine", "search.yml")));
    }
}
