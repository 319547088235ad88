using EvoMerge.FuzzCorpus;
using Xunit;

namespace EvoMerge.Tests.FuzzCorpus;

/// <summary>
/// The committed corpus (tests/fuzz-corpus) is what its generator writes for the recorded seed, byte for byte, and
/// holds at least the acceptance battery's counts (200 safetensors, 60 search configs, 60 tasks, 40 recipes).
/// Regenerate with <c>dotnet run --project tests/EvoMerge.FuzzCorpus</c>.
/// </summary>
public sealed class FuzzCorpusTests
{
    private static string Corpus => RepositoryPaths.Combine("tests", "fuzz-corpus");

    [Fact]
    public void RegeneratingWithTheRecordedSeedWritesTheSameBytes()
    {
        using var temp = new TempDirectory("evomerge-corpus");
        var manifest = CorpusManifest.Read(Corpus);
        CorpusWriter.Write(temp.Path, manifest.Seed);
        var committed = Files(Corpus);
        var regenerated = Files(temp.Path);
        Assert.Equal(committed, regenerated);
        var different = committed.Where(f => !File.ReadAllBytes(Path.Combine(Corpus, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(temp.Path, f)))).ToList();
        Assert.True(different.Count == 0, "regenerated files differ (run dotnet run --project tests/EvoMerge.FuzzCorpus): " + string.Join(", ", different));
    }

    [Fact]
    public void TheCorpusHoldsTheAcceptanceCountsAndEveryListedFile()
    {
        var manifest = CorpusManifest.Read(Corpus);
        var counts = manifest.Cases.GroupBy(c => c.Entry).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(counts[CorpusEntry.Safetensors] >= 200, $"{counts[CorpusEntry.Safetensors]} safetensors files");
        Assert.True(counts[CorpusEntry.SearchConfig] >= 60, $"{counts[CorpusEntry.SearchConfig]} search configs");
        Assert.True(counts[CorpusEntry.Task] >= 60, $"{counts[CorpusEntry.Task]} tasks");
        Assert.True(counts[CorpusEntry.Recipe] >= 40, $"{counts[CorpusEntry.Recipe]} recipes");
        foreach (var c in manifest.Cases) Assert.True(File.Exists(Path.Combine(Corpus, c.File)), c.File);
        long bytes = Directory.GetFiles(Corpus, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.True(bytes < 4_000_000, $"the corpus holds {bytes} bytes");
    }

    private static List<string> Files(string root) =>
        [.. Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal)];
}
