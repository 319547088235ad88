using System.Text.Json.Nodes;
using EvoMerge.Demo;
using EvoMerge.Host;
using EvoMerge.Plots;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using Xunit;

namespace EvoMerge.Tests.Search.Runs;

/// <summary>
/// Reference models scored once per machine: a second search over the same models and tasks takes every reference
/// score from the <see cref="ScoreCache"/> (nothing built or scored), bit for bit, and its archive is the same; a
/// changed weight byte, task file or item limit misses; a corrupt entry is reported, scored again and rewritten.
/// </summary>
public class ReferenceScoreCacheTests
{
    private const string Genome = "  methods: [ties, task_arithmetic]\n  layer_groups: 2\n  ranges:\n    weight: [0, 2]";

    [Fact]
    public void ASecondSearchTakesEveryReferenceScoreFromTheCacheBitForBitAndKeepsItsArchive()
    {
        using var temp = new TempDirectory("evomerge-score-cache");
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 24);
        var (first, firstCounts) = Search(layout, "first");
        var (second, secondCounts) = Search(layout, "second");

        // The first run scored all six (base, a, b, three plain merges) and wrote them; the second scored none.
        Assert.Equal((1, 0, 6), firstCounts);
        Assert.Equal((1, 6, 6), secondCounts);
        Assert.Equal(6, Directory.GetFiles(Path.Combine(temp.Path, "cache"), "*.json").Length);
        Assert.All(first.References, r => Assert.False(r.FromCache));
        Assert.All(second.References, r => Assert.True(r.FromCache));
        Assert.Equal(first.References.Select(r => r.Label), second.References.Select(r => r.Label));
        Assert.Equal(Bits(first.References.SelectMany(r => r.Objectives)), Bits(second.References.SelectMany(r => r.Objectives)));
        Assert.All(first.References, r => Assert.True(r.IsScored));

        // references.json says where each value came from.
        var written = JsonNode.Parse(File.ReadAllText(new RunFiles(Path.Combine(temp.Path, "runs", "second")).References))!["references"]!.AsArray();
        Assert.All(written, r => Assert.True((bool)r!["from_cache"]!));

        // Same seed, same search: the cache changes nothing in the archive.
        Assert.Equal(first.Archive, second.Archive);
    }

    [Fact]
    public void AChangedWeightByteTaskFileOrItemLimitMissesTheCache()
    {
        using var temp = new TempDirectory("evomerge-score-cache-miss");
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 24);
        var config = SearchConfigReader.ReadFile(Config(layout, "warm"));
        string cacheDirectory = Path.Combine(temp.Path, "cache");
        using (var run = SearchRun.Start(config))
            ReferenceScoring.LoadOrScore(run, new ScoreCache(cacheDirectory, problem => Assert.Fail(problem)));

        int Cached()
        {
            var probe = SearchConfigReader.ReadFile(Config(layout, "probe"));
            var setup = SearchSetup.Create(probe, SearchSetup.DeriveInfo(probe, layout.Root));
            return ReferenceScoring.CountCached(setup, new ScoreCache(cacheDirectory, problem => Assert.Fail(problem)));
        }

        Assert.Equal(6, Cached());

        // One byte of source a's last tensor (the end of its safetensors file).
        string weights = Path.Combine(layout.SpecialistA, "model.safetensors");
        byte[] original = File.ReadAllBytes(weights);
        byte[] changed = (byte[])original.Clone();
        changed[^1] ^= 0x01;
        Rewrite(weights, changed);
        Assert.Equal(0, Cached());
        Rewrite(weights, original);
        Assert.Equal(6, Cached());

        // Task b's YAML (one more comment line).
        string taskB = File.ReadAllText(layout.TaskB);
        Rewrite(layout.TaskB, taskB + "# edited\n");
        Assert.Equal(0, Cached());
        Rewrite(layout.TaskB, taskB);
        Assert.Equal(6, Cached());

        // An item limit on task a.
        string taskA = File.ReadAllText(layout.TaskA);
        Rewrite(layout.TaskA, taskA + "limit: 20\n");
        Assert.Equal(0, Cached());
        Rewrite(layout.TaskA, taskA);
        Assert.Equal(6, Cached());
    }

    [Fact]
    public void ACorruptEntryIsReportedScoredAgainAndRewritten()
    {
        using var temp = new TempDirectory("evomerge-score-cache-corrupt");
        var layout = TinySpecialists.Write(temp.Path, itemsPerTask: 24);
        string cacheDirectory = Path.Combine(temp.Path, "cache");
        IReadOnlyList<ReferenceModel> fresh;
        using (var run = SearchRun.Start(SearchConfigReader.ReadFile(Config(layout, "fresh"))))
            fresh = ReferenceScoring.LoadOrScore(run, new ScoreCache(cacheDirectory, problem => Assert.Fail(problem)));
        var entries = Directory.GetFiles(cacheDirectory, "*.json").Order(StringComparer.Ordinal).ToArray();
        string torn = entries[0];
        string text = File.ReadAllText(torn);
        File.WriteAllText(torn, text[..(text.Length / 2)]);
        var edited = JsonNode.Parse(File.ReadAllText(entries[1]))!;
        edited["values"]!.AsArray().RemoveAt(0);
        File.WriteAllText(entries[1], edited.ToJsonString());

        var warnings = new List<string>();
        IReadOnlyList<ReferenceModel> again;
        using (var run = SearchRun.Start(SearchConfigReader.ReadFile(Config(layout, "again"))))
            again = ReferenceScoring.LoadOrScore(run, new ScoreCache(cacheDirectory, warnings.Add));

        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains(torn, StringComparison.Ordinal) && w.Contains("not valid JSON", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains(entries[1], StringComparison.Ordinal) && w.Contains("1 values, 2 expected", StringComparison.Ordinal));
        Assert.Equal(4, again.Count(r => r.FromCache));
        Assert.Equal(Bits(fresh.SelectMany(r => r.Objectives)), Bits(again.SelectMany(r => r.Objectives)));
        var check = new ScoreCache(cacheDirectory, problem => Assert.Fail(problem));
        Assert.All(entries, e => Assert.NotNull(check.TryRead(Path.GetFileNameWithoutExtension(e), 2)));
    }

    private static long[] Bits(IEnumerable<double> values) => [.. values.Select(BitConverter.DoubleToInt64Bits)];

    /// <summary>Writes <paramref name="bytes"/> and moves the file's time on, as an edit a second later would.</summary>
    private static void Rewrite(string path, byte[] bytes)
    {
        var before = File.GetLastWriteTimeUtc(path);
        File.WriteAllBytes(path, bytes);
        File.SetLastWriteTimeUtc(path, before.AddSeconds(1));
    }

    private static void Rewrite(string path, string text) => Rewrite(path, System.Text.Encoding.UTF8.GetBytes(text));

    private static string Config(TinySpecialists.Layout layout, string name, string extra = "")
    {
        string path = Path.Combine(layout.Root, name + ".yml");
        File.WriteAllText(path, $"""
            base_model: models/base
            models: [models/a, models/b]
            {layout.ObjectivesYaml()}
            genome:
            {Genome}
            optimizer:
              name: nsga2
              settings:
                population_size: 4
            budget:
              generations: 2
            seed: 5
            run_dir: runs/{name}
            {extra}
            """);
        return path;
    }

    /// <summary>A search with plots and the score cache on (in <c>cache/</c> beside the models), as the host runs it.</summary>
    private static ((IReadOnlyList<ReferenceModel> References, string[] Archive), (int Calls, int FromCache, int Total)) Search(
        TinySpecialists.Layout layout, string name)
    {
        var config = SearchConfigReader.ReadFile(Config(layout, name, "score_cache_dir: cache"));
        var plots = new RunPlots(problem => Assert.Fail(problem), scoreCache: true);
        var counter = new ReferenceCounter();
        using var run = SearchRun.Start(config, new SearchObserverFanOut([plots, counter]));
        plots.Attach(run);
        run.Run();
        var references = ReferenceScoring.LoadOrScore(run);
        string[] archive = [.. run.Archive.Select(m => m.Payload.Hash + " " + string.Join(' ', Bits(m.Payload.Objectives)))];
        return ((references, archive), (counter.Calls, counter.FromCache, counter.Total));
    }

    /// <summary>Counts what the run reports about its reference models' cache use.</summary>
    private sealed class ReferenceCounter : ISearchObserver
    {
        public int Calls { get; private set; }

        public int FromCache { get; private set; }

        public int Total { get; private set; }

        public void GenerationStarted(int generation, int candidates)
        {
        }

        public void EvaluationFinished(EvaluationRecord record)
        {
        }

        public void GenerationFinished(GenerationStatistics statistics)
        {
        }

        public void ReferencesFromCache(int fromCache, int total, string directory)
        {
            Calls++;
            FromCache = fromCache;
            Total = total;
        }
    }
}
