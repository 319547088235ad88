using EvoMerge.Evaluation;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using Xunit;

namespace EvoMerge.Tests.Search.Configuration;

/// <summary>Every search config under experiments/ is valid: the bundled ones open completely (models, tasks, metrics), the Qwen one up to its missing weights.</summary>
public class ExperimentConfigTests
{
    private static readonly string[] Bundled =
    [
        "demo/search.yml", "demo-large/search.yml",
        "genomes/parameter-space.yml", "genomes/layer-ordering.yml", "genomes/both.yml", "genomes/filters.yml", "genomes/smooth.yml",
        "optimizers/nsga2.yml", "optimizers/cmaes.yml", "optimizers/random.yml", "subspace/search-with-subspace.yml", "racing/search.yml",
    ];

    public static TheoryData<string> BundledConfigs() => new(Bundled);

    [Theory]
    [MemberData(nameof(BundledConfigs))]
    public void BundledExperimentConfigOpens(string relative)
    {
        string file = RepositoryPaths.Combine("experiments", relative);
        var config = SearchConfigReader.ReadFile(file);
        var setup = SearchSetup.Create(config, SearchSetup.DeriveInfo(config, Path.GetDirectoryName(file)!));
        Assert.Equal(3, setup.Config.Models.Count);
        Assert.All(setup.Config.Objectives, o => Assert.True(o.Maximize && o.Reference == 0, o.Name));
        Assert.All(setup.Tasks.Values, t => Assert.False(t.IsTestSplit, t.Name));
    }

    [Fact]
    public void EveryExperimentSearchConfigIsListed()
    {
        var configs = Directory.EnumerateFiles(RepositoryPaths.Combine("experiments"), "*.yml", SearchOption.AllDirectories)
            .Where(f => File.ReadLines(f).Any(l => l.StartsWith("base_model:", StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(RepositoryPaths.Combine("experiments"), f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal).ToArray();
        var listed = Bundled.Append("qwen2.5-1.5b-math-instruct/search.yml").Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(listed, configs);
    }

    [Fact]
    public void QwenConfigAndTasksParseWithoutTheWeights()
    {
        string directory = RepositoryPaths.Combine("experiments", "qwen2.5-1.5b-math-instruct");
        var config = SearchConfigReader.ReadFile(Path.Combine(directory, "search.yml"));
        Assert.Equal(2, config.Models.Count);
        Assert.Equal(["math", "knowledge"], config.Objectives.Select(o => o.Name));
        // The task YAMLs name Parquet files prepare_data.py writes; stand-ins with those names let their keys be checked here.
        using var temp = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(temp.Path, "tasks"));
        Directory.CreateDirectory(Path.Combine(temp.Path, "data"));
        foreach (string name in new[] { "gsm8k-dev", "gsm8k-test", "arc-challenge-dev", "arc-challenge-test" })
            File.WriteAllBytes(Path.Combine(temp.Path, "data", name + ".parquet"), []);
        foreach (string task in config.TaskFiles.Concat(config.TaskFiles.Select(t => t.Replace("-dev.yml", "-test.yml", StringComparison.Ordinal))))
        {
            string copy = Path.Combine(temp.Path, "tasks", Path.GetFileName(task));
            File.Copy(task, copy);
            var definition = EvalTaskDefinition.Read(copy);
            Assert.Equal(task.EndsWith("-test.yml", StringComparison.Ordinal) ? "test" : "dev", definition.Split);
        }
        var problem = Assert.Throws<SearchConfigException>(() => SearchSetup.Create(config, SearchSetup.DeriveInfo(config, directory)));
        Assert.Contains("base_model", problem.Message);
    }
}
