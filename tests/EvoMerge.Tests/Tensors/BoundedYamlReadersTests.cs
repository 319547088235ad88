using System.Diagnostics;
using EvoMerge.Cluster;
using EvoMerge.Evaluation;
using EvoMerge.Merging.Recipes;
using EvoMerge.Search.Configuration;
using Xunit;

namespace EvoMerge.Tests.Tensors;

/// <summary>
/// Every YAML reader (search config, eval task, recipe, cluster file) goes through the bounded loader: a
/// billion-laughs file is one line naming the file and the limit, in well under a second, in the reader's own
/// error type, and an oversize file is refused the same way.
/// </summary>
public sealed class BoundedYamlReadersTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Readers => ["search", "task", "recipe", "cluster"];

    [Theory]
    [MemberData(nameof(Readers))]
    public void BillionLaughsIsOneLineNamingTheFile(string reader)
    {
        string path = _dir.Combine(reader + ".yml");
        File.WriteAllText(path, YamlDocumentLoaderTests.BillionLaughs);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var e = Read(reader, path);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "allocated over 10 MB");
        Assert.Equal(path + ":" + YamlDocumentLoaderTests.BillionLaughsMessage, e.Message);
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void AnOversizeFileIsRefused(string reader)
    {
        string path = _dir.Combine(reader + ".yml");
        File.WriteAllText(path, new string('#', 2 * 1024 * 1024) + "\n");
        var e = Read(reader, path);
        Assert.Equal($"{path}: file is 2097153 bytes, over the 1 MiB limit (MaxBytes)", e.Message);
    }

    /// <summary>Reads with <paramref name="reader"/>, which must fail with its own error type.</summary>
    private static Exception Read(string reader, string path) => reader switch
    {
        "search" => Assert.Throws<SearchConfigException>(() => SearchConfigReader.ReadFile(path)),
        "task" => Assert.Throws<EvalTaskFormatException>(() => EvalTaskDefinition.Read(path)),
        "recipe" => Assert.Throws<RecipeException>(() => RecipeReader.ReadFile(path)),
        _ => Assert.Throws<ArgumentException>(() => ClusterSpec.Parse(path)),
    };
}
