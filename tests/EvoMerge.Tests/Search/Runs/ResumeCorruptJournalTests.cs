using EvoMerge.Evaluation;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using Xunit;

namespace EvoMerge.Tests.Search.Runs;

/// <summary>
/// Resume on a run whose evaluations journal is corrupt refuses with the one-line <see cref="CorruptParquetException"/>
/// naming the journal before it writes anything: the bytes stay as found, so nothing more is lost.
/// </summary>
public sealed class ResumeCorruptJournalTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    private const string Genome = "  methods: [ties, task_arithmetic]\n  layer_groups: 2\n  ranges:\n    weight: [0, 2]";

    /// <summary>A run of two generations (population 4) and its journal's bytes.</summary>
    private (string RunDirectory, string Journal, byte[] Bytes) TwoGenerations(string name)
    {
        var config = SearchConfigReader.ReadFile(fixture.Config(name, Genome, population: 4, generations: 4));
        using (var run = SearchRun.Start(config))
        {
            run.RunGeneration();
            run.RunGeneration();
        }
        string journal = new RunFiles(config.RunDirectory).Evaluations;
        return (config.RunDirectory, journal, File.ReadAllBytes(journal));
    }

    /// <summary>Resumes and returns the refusal, or null when the run opened; any other exception, or a journal changed, fails the test.</summary>
    private static CorruptParquetException? TryResume(string runDirectory, string journal, byte[] bytes, string name)
    {
        File.WriteAllBytes(journal, bytes);
        try
        {
            using var run = SearchRun.Resume(runDirectory);
            return null;
        }
        catch (CorruptParquetException e)
        {
            Assert.Equal(journal, e.File);
            Assert.StartsWith(journal + ": ", e.Message);
            Assert.DoesNotContain('\n', e.Message);
            return e;
        }
        catch (Exception e)
        {
            Assert.Fail($"{name}: resume threw {e.GetType().Name}: {e.Message}");
            return null;
        }
        finally
        {
            Assert.True(bytes.AsSpan().SequenceEqual(File.ReadAllBytes(journal)), $"{name}: resume changed the journal's bytes");
        }
    }

    [Fact]
    public void ACorruptFooterIsRefusedNamingTheJournalAndLeftAsFound()
    {
        var (run, journal, valid) = TwoGenerations("corrupt-footer");
        var bytes = (byte[])valid.Clone();
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 8, 4), -5);
        var error = TryResume(run, journal, bytes, "negative footer length");
        Assert.Equal($"{journal}: has a negative footer length (-5)", error!.Message);
    }

    [Fact]
    public void AJournalMissingGenerationsTheCheckpointCoversIsRefusedAndLeftAsFound()
    {
        // The journal of generation 0 alone (a copy from before generation 1) under a checkpoint of two generations.
        var (run, journal, _) = TwoGenerations("journal-short");
        var config = SearchConfigReader.ReadFile(fixture.Config("journal-short-one", Genome, population: 4, generations: 4));
        using (var one = SearchRun.Start(config)) one.RunGeneration();
        var older = File.ReadAllBytes(new RunFiles(config.RunDirectory).Evaluations);
        var error = TryResume(run, journal, older, "one generation short");
        Assert.Equal($"{journal}: has 1 row group(s) but its checkpoint {Path.Combine(run, "checkpoint.json")} covers 2 generations (generations are missing: the file was replaced or cut)", error!.Message);
    }

    [Fact]
    public void EverySeededByteFlipIsRefusedAndNeverWrittenOver()
    {
        var (run, journal, valid) = TwoGenerations("corrupt-flips");
        // Most flips land in values Parquet cannot check (doubles, strings); the checkpoint's SHA-256 of the journal sees every one.
        var random = new Random(20261207);
        int refused = 0;
        const int Flips = 40;
        for (int i = 0; i < Flips; i++)
        {
            var bytes = (byte[])valid.Clone();
            bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
            if (TryResume(run, journal, bytes, $"flip {i}") is not null) refused++;
        }
        Assert.Equal(Flips, refused);
        Assert.Null(TryResume(run, journal, valid, "the journal as written"));
    }
}
