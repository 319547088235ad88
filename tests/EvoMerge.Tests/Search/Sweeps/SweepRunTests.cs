using System.Text.Json.Nodes;
using EvoMerge.Demo;
using EvoMerge.Evaluation;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Sweeps;
using Xunit;

namespace EvoMerge.Tests.Search.Sweeps;

/// <summary>
/// A sweep over the tiny specialists, in process: a second sweep over the same models and tasks takes every point from
/// the score cache (nothing built or scored) and writes the same tables; <c>sweep-table.parquet</c> holds the JSON
/// table's rows; a resume after a model's config changed is refused with one line naming the file.
/// </summary>
public class SweepRunTests
{
    private const int Points = 2 + 3; // grid density 0.4, 0.8; ingredients a, b; soup {a, b}

    private static string Config(TinySpecialists.Layout layout, string runDirectory)
    {
        string path = Path.Combine(layout.Root, runDirectory + ".yml");
        File.WriteAllText(path, "base_model: models/base\nmodels: [models/a, models/b]\n" + layout.ObjectivesYaml()
            + "score_cache_dir: cache\nsweep:\n  grid: {method: ties, parameters: {density: [0.4, 0.8]}}\n  greedy_soup: true\nrun_dir: runs/" + runDirectory + "\n");
        return path;
    }

    private static (SweepProgress Progress, string Directory) Sweep(TinySpecialists.Layout layout, string name)
    {
        using var run = SweepRun.Start(SweepConfigReader.ReadFile(Config(layout, name)), _ => { });
        run.Run();
        return (run.Progress, run.Setup.Config.RunDirectory);
    }

    [Fact]
    public void ASecondSweepTakesEveryPointFromTheScoreCacheAndTheParquetTableHoldsTheRows()
    {
        using var temp = new TempDirectory("evomerge-sweep-cache");
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 16);
        var (first, firstDirectory) = Sweep(layout, "first");
        var (second, secondDirectory) = Sweep(layout, "second");

        Assert.Equal((Points, Points, 0), (first.Done, first.Evaluated, first.Cached));
        Assert.Equal((Points, 0, Points), (second.Done, second.Evaluated, second.Cached));
        Assert.Equal(Points, Directory.GetFiles(Path.Combine(temp.Path, "cache"), "*.json").Length);
        foreach (string file in new[] { SweepTable.JsonFileName, SweepTable.MarkdownFileName, SweepTableParquet.FileName })
            Assert.Equal(File.ReadAllBytes(Path.Combine(firstDirectory, file)), File.ReadAllBytes(Path.Combine(secondDirectory, file)));

        var rows = JsonNode.Parse(File.ReadAllText(Path.Combine(firstDirectory, SweepTable.JsonFileName)))!["rows"]!.AsArray();
        var columns = ReadParquet(Path.Combine(firstDirectory, SweepTableParquet.FileName));
        Assert.Equal(["family", "label", "method", "recipe_hash", "objective.a", "objective.b", "dev_score", "note", "reason", "in_greedy_soup"], columns.Names);
        Assert.Equal(rows.Select(r => (string)r!["family"]!), columns.Strings("family"));
        Assert.Equal(rows.Select(r => (string)r!["label"]!), columns.Strings("label"));
        Assert.Equal(rows.Select(r => (string)r!["recipe_hash"]!), columns.Strings("recipe_hash"));
        Assert.Equal(rows.Select(r => (double)r!["objectives"]!["a"]!), columns.Numbers("objective.a"));
        Assert.Equal(rows.Select(r => (double)r!["dev_score"]!), columns.Numbers("dev_score"));
        Assert.Equal(rows.Select(r => (string)r!["note"]!), columns.Strings("note"));
        var soup = JsonNode.Parse(File.ReadAllText(Path.Combine(firstDirectory, SweepTable.JsonFileName)))!["greedy_soup"]!["soup"]!.AsArray().Select(m => (string)m!).ToHashSet();
        Assert.Equal(rows.Select(r => (string)r!["family"]! == "ingredient" && soup.Contains((string)r["label"]!)), columns.Flags("in_greedy_soup"));
        Assert.Empty(Directory.GetFiles(firstDirectory, "*" + EvoMerge.Tensors.AtomicFile.TempSuffix, SearchOption.AllDirectories));
    }

    [Fact]
    public void AResumeAfterAModelConfigChangedIsRefusedNamingTheFile()
    {
        using var temp = new TempDirectory("evomerge-sweep-changed");
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 16);
        string config = Config(layout, "changed");
        string directory;
        using (var run = SweepRun.Start(SweepConfigReader.ReadFile(config), _ => { }, scoreCache: false)) directory = run.Setup.Config.RunDirectory;

        using (var resumed = SweepRun.Resume(directory, _ => { }, scoreCache: false)) Assert.Equal(0, resumed.Evaluated); // unchanged: resumes

        string modelConfig = Path.Combine(layout.SpecialistB, "config.json");
        File.AppendAllText(modelConfig, "\n");
        var e = Assert.Throws<RunChangedException>(() => SweepRun.Resume(directory, _ => { }, scoreCache: false));
        Assert.StartsWith($"sweep --resume {directory}: model config {modelConfig} changed since the run started", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    private static (string[] Names, Func<string, string[]> Strings, Func<string, double[]> Numbers, Func<string, bool[]> Flags) ReadParquet(string path)
    {
        var reader = SafeParquetReader.OpenAsync(path).GetAwaiter().GetResult();
        try
        {
            using var group = reader.OpenRowGroupReader(0);
            int n = checked((int)group.RowCount);
            var fields = reader.Schema.GetDataFields().ToDictionary(f => f.Name, StringComparer.Ordinal);
            var strings = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var numbers = new Dictionary<string, double[]>(StringComparer.Ordinal);
            var flags = new Dictionary<string, bool[]>(StringComparer.Ordinal);
            foreach (var (name, field) in fields)
            {
                if (name is "family" or "label" or "method" or "recipe_hash" or "note" or "reason")
                {
                    var values = new string?[n];
                    group.ReadAsync(field, values.AsMemory()).AsTask().GetAwaiter().GetResult();
                    strings[name] = [.. values.Select(v => v ?? "")];
                }
                else if (name == "in_greedy_soup")
                {
                    var values = new bool[n];
                    group.ReadAsync<bool>(field, values.AsMemory()).AsTask().GetAwaiter().GetResult();
                    flags[name] = values;
                }
                else
                {
                    var values = new double[n];
                    group.ReadAsync<double>(field, values.AsMemory()).AsTask().GetAwaiter().GetResult();
                    numbers[name] = values;
                }
            }
            return ([.. fields.Keys], name => strings[name], name => numbers[name], name => flags[name]);
        }
        finally
        {
            reader.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
