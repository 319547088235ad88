using System.Diagnostics;
using System.Text;
using EvoMerge.FuzzCorpus;
using EvoMerge.Search.Configuration;
using Xunit;

namespace EvoMerge.Tests.Search.Configuration;

/// <summary>
/// A seeded battery of bad search configs (<see cref="SearchConfigMutations"/>), each a mutation of one valid config (wrong types, unknown keys,
/// out-of-range numbers, lists over their bounds, aliases, truncation, non-UTF-8 bytes, deep nesting, oversize
/// files, broken syntax, huge numbers): every one is a <see cref="SearchConfigException"/> of one line naming the
/// file, and no other exception type, in under a second. Bounds on lists and counts are checked by name too.
/// </summary>
public sealed class BadSearchConfigBatteryTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TheValidConfigReads() => SearchConfigReader.ReadFile(Write("valid.yml", Encoding.UTF8.GetBytes(SearchConfigMutations.Valid)));

    [Fact]
    public void EveryBadConfigIsOneLineNamingTheFile()
    {
        var cases = SearchConfigMutations.Generate(new Random(18));
        Assert.True(cases.Count >= 60, $"only {cases.Count} cases");
        var failures = new List<string>();
        for (int i = 0; i < cases.Count; i++)
        {
            var (kind, bytes) = cases[i];
            string path = Write($"case-{i:D2}-{kind}.yml", bytes);
            var clock = Stopwatch.StartNew();
            try
            {
                SearchConfigReader.ReadFile(path);
                failures.Add($"{kind} #{i}: read without an error");
            }
            catch (SearchConfigException e)
            {
                if (!e.Message.StartsWith(path, StringComparison.Ordinal)) failures.Add($"{kind} #{i}: does not name the file: {e.Message}");
                if (e.Message.Contains('\n') || e.Message.Contains('\r')) failures.Add($"{kind} #{i}: more than one line: {e.Message}");
            }
            catch (Exception e)
            {
                failures.Add($"{kind} #{i}: {e.GetType().Name}: {e.Message}");
            }
            // A bound for runaway parsing, not a benchmark: huge lists took 3.4 s at load average 36 on two cores (the fuzz battery allows 10 s too).
            if (clock.Elapsed > TimeSpan.FromSeconds(10)) failures.Add($"{kind} #{i}: took {clock.Elapsed}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData("  layer_groups: 2", "  layer_groups: 1025", "10: genome.layer_groups: must be ≤ 1024")]
    [InlineData("    repeats: 2", "    repeats: 17", "14: genome.layer_ordering.repeats: must be ≤ 16")]
    [InlineData("  generations: 3", "  generations: 1000001", "20: budget.generations: must be ≤ 1000000")]
    [InlineData("    population_size: 6", "    population_size: 10001", "18: optimizer.settings.population_size: must be ≤ 10000")]
    public void CountsOverTheirBoundsNameThePath(string find, string replace, string expected)
    {
        Assert.Contains(find, SearchConfigMutations.Valid);
        var e = Assert.Throws<SearchConfigException>(() => SearchConfigReader.Parse(SearchConfigMutations.Valid.Replace(find, replace), "search.yml", "/work"));
        Assert.Equal("search.yml:" + expected, e.Message);
    }

    [Fact]
    public void ListsOverTheirBoundsNameThePath()
    {
        string seeds = "  layer_groups: 2\n  seed_weights: [" + string.Join(", ", Enumerable.Repeat("0.5", 257)) + "]";
        var e = Assert.Throws<SearchConfigException>(() => SearchConfigReader.Parse(SearchConfigMutations.Valid.Replace("  layer_groups: 2", seeds), "search.yml", "/work"));
        Assert.Equal("search.yml:11: genome.seed_weights: must have at most 256 items", e.Message);

        string models = "models:\n" + string.Concat(Enumerable.Range(0, 65).Select(i => $"  - models/m{i}\n"));
        e = Assert.Throws<SearchConfigException>(() => SearchConfigReader.Parse(SearchConfigMutations.Valid.Replace("models:\n  - models/a\n  - models/b\n", models), "search.yml", "/work"));
        Assert.Equal("search.yml:2: models: must have at most 64 items", e.Message);
    }

    private string Write(string name, byte[] bytes)
    {
        string path = _dir.Combine(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
