using EvoMerge.Evaluation;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using Xunit;

namespace EvoMerge.Tests.Search.Runs;

/// <summary>
/// A corrupt evaluations.parquet (as found on resume) gives a <see cref="CorruptParquetException"/> naming the file
/// on one line, or reads cleanly; never another exception. Seeded byte flips, truncations and bad footer lengths.
/// </summary>
public sealed class EvaluationLogCorruptionTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string LogPath => _directory.Combine(EvaluationLog.FileName);

    private static EvaluationRecord Row(int generation, int index) => new()
    {
        Generation = generation, Index = index, Genome = $"[0.{index}]", RecipeHash = $"hash{generation}{index}",
        Status = index == 1 ? EvaluationStatus.Failed : EvaluationStatus.Scored, Reason = index == 1 ? "boom" : "",
        Cached = false, Objectives = [0.5, index], Constraints = [], ConstraintViolation = 0,
    };

    private byte[] WriteValidLog()
    {
        var log = new EvaluationLog(LogPath, ["a", "b"], 0);
        log.AppendGeneration([Row(0, 0), Row(0, 1)]);
        log.AppendGeneration([Row(1, 0), Row(1, 1), Row(1, 2)]);
        return File.ReadAllBytes(LogPath);
    }

    /// <summary>Reads the log back (row groups and rows); returns the error, or null when it reads.</summary>
    private CorruptParquetException? TryRead(string name, byte[] bytes)
    {
        File.WriteAllBytes(LogPath, bytes);
        var log = new EvaluationLog(LogPath, ["a", "b"], 0);
        var read = Task.Run(() => (log.RowGroupCount(), log.Read()));
        try
        {
            Assert.True(read.Wait(TimeSpan.FromSeconds(10)), $"{name}: reading hung");
            return null;
        }
        catch (AggregateException e) when (e.InnerException is CorruptParquetException error)
        {
            Assert.Equal(LogPath, error.File);
            Assert.StartsWith(LogPath + ": ", error.Message);
            Assert.DoesNotContain('\n', error.Message);
            return error;
        }
        catch (AggregateException e)
        {
            Assert.Fail($"{name}: unhandled {e.InnerException!.GetType().Name}: {e.InnerException.Message}");
            return null;
        }
    }

    [Fact]
    public void TheValidLogReadsBack()
    {
        var valid = WriteValidLog();
        Assert.Null(TryRead("valid", valid));
        Assert.Equal(5, new EvaluationLog(LogPath, ["a", "b"], 0).Read().Count);
    }

    [Fact]
    public void SeededCorruptionsAreCleanErrorsOrReadableLogs()
    {
        var valid = WriteValidLog();
        var random = new Random(20261207);
        int cases = 0, errors = 0;
        for (int i = 0; i < 40; i++, cases++)
        {
            var bytes = (byte[])valid.Clone();
            bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
            if (TryRead($"flip {i}", bytes) is not null) errors++;
        }
        for (int i = 0; i < 5; i++, cases++)
        {
            if (TryRead($"truncation {i}", valid[..random.Next(valid.Length)]) is not null) errors++;
        }
        Assert.True(errors > cases / 2, $"only {errors} of {cases} corruptions were detected");
    }

    [Theory]
    [InlineData(-5, "has a negative footer length (-5)")]
    [InlineData(int.MaxValue, "has a footer length of 2147483647 bytes")]
    public void BadFooterLengthsAreNamed(int footer, string expected)
    {
        var bytes = WriteValidLog();
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 8, 4), footer);
        var error = TryRead($"footer {footer}", bytes);
        Assert.StartsWith($"{LogPath}: {expected}", error!.Message);
    }

    [Fact]
    public void AnUnknownStatusNamesTheColumn()
    {
        var log = new EvaluationLog(LogPath, ["a", "b"], 0);
        log.AppendGeneration([Row(0, 0) with { Status = (EvaluationStatus)7 }]);
        var error = Assert.Throws<CorruptParquetException>(() => log.Read());
        Assert.Equal($"{LogPath}: column 'status': row 0 of row group 0 is not a known status", error.Message);
    }
}
