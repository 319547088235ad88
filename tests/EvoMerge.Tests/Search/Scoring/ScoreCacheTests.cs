using EvoMerge.Search.Configuration;
using EvoMerge.Search.Scoring;
using Xunit;

namespace EvoMerge.Tests.Search.Scoring;

public class ScoreCacheTests
{
    private const string Key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void ValuesComeBackBitForBitAndAMissingEntryIsAMiss()
    {
        using var temp = new TempDirectory("evomerge-score-cache-unit");
        var cache = new ScoreCache(Path.Combine(temp.Path, "scores"), problem => Assert.Fail(problem));
        Assert.Null(cache.TryRead(Key, 2));
        double[] values = [0.1 + 0.2, 1.0 / 3.0];
        cache.Write(Key, "a", ["x", "y"], values);
        var back = cache.TryRead(Key, 2);
        Assert.NotNull(back);
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), back.Select(BitConverter.DoubleToInt64Bits));
        Assert.True(cache.Contains(Key, 2));
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("[1, 2]", "not a JSON object")]
    [InlineData("{\"format\":1,\"key\":\"KEY\",\"scorer_version\":1,\"values\":[0.5]}", "1 values, 2 expected")]
    [InlineData("{\"format\":1,\"key\":\"KEY\",\"scorer_version\":1,\"values\":[0.5,\"NaN\"]}", "not valid JSON")]
    [InlineData("{\"format\":1,\"key\":\"KEY\",\"scorer_version\":1,\"values\":[0.5,null]}", "a value is not finite")]
    [InlineData("{\"format\":1,\"key\":\"other\",\"scorer_version\":1,\"values\":[0.5,0.5]}", "it names another key")]
    [InlineData("{\"format\":1,\"key\":\"KEY\",\"scorer_version\":0,\"values\":[0.5,0.5]}", "another scorer version")]
    [InlineData("{\"format\":1,\"key\":\"KEY\",\"scorer_version\":1,\"values\":[0.5,0.5", "not valid JSON")]
    public void AnEntryThatIsNotWholeAndRightIsIgnoredWithAWarning(string text, string problem)
    {
        using var temp = new TempDirectory("evomerge-score-cache-corrupt-unit");
        var warnings = new List<string>();
        var cache = new ScoreCache(temp.Path, warnings.Add);
        File.WriteAllText(cache.EntryPath(Key), text.Replace("KEY", Key, StringComparison.Ordinal));
        Assert.Null(cache.TryRead(Key, 2));
        Assert.False(cache.Contains(Key, 2));
        string warning = Assert.Single(warnings);
        Assert.Equal($"score cache: ignoring corrupt entry {cache.EntryPath(Key)} ({problem}); scoring again", warning);
    }

    [Fact]
    public void ThreadsWritingAndReadingOneKeyAtOnceAllSucceedAndNeverSeeATornEntry()
    {
        using var temp = new TempDirectory("evomerge-score-cache-race");
        var warnings = new System.Collections.Concurrent.ConcurrentBag<string>();
        double[] values = [0.25, 0.75];
        const int Writers = 4, Readers = 2, Rounds = 100;
        using var start = new Barrier(Writers + Readers);
        int hits = 0, writersDone = 0;
        var threads = Enumerable.Range(0, Writers + Readers).Select(t => new Thread(() =>
        {
            var cache = new ScoreCache(temp.Path, warnings.Add);
            start.SignalAndWait();
            if (t < Writers)
            {
                for (int i = 0; i < Rounds; i++) cache.Write(Key, $"writer {t}", ["x", "y"], values);
                Interlocked.Increment(ref writersDone);
                return;
            }
            while (Volatile.Read(ref writersDone) < Writers)
                if (cache.TryRead(Key, 2) is { } read && read.SequenceEqual(values)) Interlocked.Increment(ref hits);
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(warnings);
        Assert.True(hits > 0, "readers saw the entry");
        Assert.Equal(values, new ScoreCache(temp.Path).TryRead(Key, 2));
        Assert.Equal([Key + ".json"], Directory.GetFiles(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void TheConfigMovesOrTurnsOffTheCacheAndTheCallerCanTurnItOff()
    {
        using var temp = new TempDirectory("evomerge-score-cache-location");
        SearchConfig Config(string extra)
        {
            string path = Path.Combine(temp.Path, "search.yml");
            File.WriteAllText(Path.Combine(temp.Path, "a.yml"), "");
            File.WriteAllText(path, "base_model: base\nmodels: [a, b]\nobjectives:\n  - name: a\n    task: a.yml\n    metric: acc\n"
                + "genome:\n  methods: [task_arithmetic]\n  layer_groups: 1\noptimizer:\n  name: nsga2\nbudget:\n  generations: 1\nseed: 1\nrun_dir: run\n" + extra);
            return SearchConfigReader.ReadFile(path);
        }

        // (Where EVOMERGE_SCORE_CACHE_DIR or EVOMERGE_SCORE_CACHE is set for the test process, it rules instead.)
        bool environment = Environment.GetEnvironmentVariable(ScoreCacheLocation.DirectoryVariable) is { Length: > 0 }
            || Environment.GetEnvironmentVariable(ScoreCacheLocation.SwitchVariable) is { Length: > 0 };
        if (!environment)
        {
            Assert.Equal(Path.Combine(temp.Path, "shared", "scores"), ScoreCacheLocation.Resolve(Config("score_cache_dir: shared/scores\n")));
            string defaultDirectory = ScoreCacheLocation.Resolve(Config(""))!;
            Assert.EndsWith(Path.Combine("evomerge", "scores"), defaultDirectory, StringComparison.Ordinal);
            Assert.True(Path.IsPathRooted(defaultDirectory));
        }
        Assert.Null(ScoreCacheLocation.Resolve(Config("score_cache: false\nscore_cache_dir: shared\n")));
        Assert.Null(ScoreCacheLocation.Resolve(Config(""), enabled: false));
    }
}
