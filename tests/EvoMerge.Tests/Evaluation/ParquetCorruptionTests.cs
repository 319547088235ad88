using System.Text;
using EvoMerge.Evaluation;
using EvoMerge.FuzzCorpus;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>
/// A seeded battery of corrupt copies of a valid task Parquet file (flipped bytes, truncations, bad footer lengths,
/// broken magics, a text file): each one loads cleanly or fails with <see cref="EvalTaskFormatException"/> naming
/// the file on one line, never with another exception, never quoting the file's bytes.
/// </summary>
public sealed class ParquetCorruptionTests : IDisposable
{
    private const int Seed = 20261207;
    private const string Yaml = "name: colors\nkind: multiple_choice\ndata: data.parquet\nprompt: \"Q: {question}\\nA:\"\nchoices_column: choices\nanswer_column: label\n";

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string DataPath => _directory.Combine("data.parquet");

    /// <summary>Writes the task YAML and a valid Parquet file of 6 rows in two row groups; returns the file's bytes.</summary>
    private byte[] WriteValidTask()
    {
        File.WriteAllText(_directory.Combine("task.yml"), Yaml);
        int rows = 6;
        TestParquet.Write(DataPath,
        [
            ("question", Enumerable.Range(0, rows).Select(i => (string?)$"color {i}?").ToArray()),
            ("choices", Enumerable.Range(0, rows).Select(i => new[] { "red", "blue", $"green{i}" }).ToArray()),
            ("label", Enumerable.Range(0, rows).Select(i => (long)(i % 3)).ToArray()),
        ], rowGroupSize: 3);
        return File.ReadAllBytes(DataPath);
    }

    /// <summary>The seeded cases (<see cref="ParquetCorruptions"/>): a name and the bytes to write as the task's data file.</summary>
    private static List<(string Name, byte[] Bytes)> Corruptions(byte[] valid) => ParquetCorruptions.Of(valid, new Random(Seed));

    private static readonly byte[] TextFile = ParquetCorruptions.TextFile;

    /// <summary>Loads the task with <paramref name="bytes"/> as its data; returns the error, or null when it loads.</summary>
    private EvalTaskFormatException? TryLoad(string name, byte[] bytes)
    {
        File.WriteAllBytes(DataPath, bytes);
        var load = Task.Run(() => EvalTask.Load(_directory.Combine("task.yml")));
        try
        {
            Assert.True(load.Wait(TimeSpan.FromSeconds(10)), $"{name}: loading hung");
            return null;
        }
        catch (AggregateException e) when (e.InnerException is EvalTaskFormatException error)
        {
            Assert.True(error.File == DataPath, $"{name}: error names {error.File}: {error.Message}");
            Assert.StartsWith(DataPath + ": ", error.Message);
            Assert.DoesNotContain('\n', error.Message);
            AssertQuotesNoBytes(name, error.Message, bytes);
            return error;
        }
        catch (AggregateException e)
        {
            Assert.Fail($"{name}: unhandled {e.InnerException!.GetType().Name}: {e.InnerException.Message}");
            return null;
        }
    }

    /// <summary>The message holds neither the file's first nor last bytes, as hex in any usual spelling or as text.</summary>
    private static void AssertQuotesNoBytes(string name, string message, byte[] bytes)
    {
        string problem = message[message.IndexOf(": ", StringComparison.Ordinal)..];
        foreach (var part in new[] { bytes.AsSpan(0, Math.Min(4, bytes.Length)).ToArray(), bytes.AsSpan(Math.Max(0, bytes.Length - 4)).ToArray() })
        {
            if (part.Length < 4) continue;
            foreach (string hex in new[] { Convert.ToHexString(part), BitConverter.ToString(part), BitConverter.ToString(part).Replace('-', ' ') })
            {
                Assert.DoesNotContain(hex, problem, StringComparison.OrdinalIgnoreCase);
            }
            string text = Encoding.Latin1.GetString(part);
            if (text != "PAR1") Assert.False(problem.Contains(text, StringComparison.Ordinal), $"{name}: '{message}' quotes the file's bytes");
        }
    }

    [Fact]
    public void TheValidFileLoads()
    {
        var valid = WriteValidTask();
        Assert.Null(TryLoad("valid", valid));
    }

    [Fact]
    public void EverySeededCorruptionIsACleanErrorOrAValidFile()
    {
        var valid = WriteValidTask();
        var cases = Corruptions(valid);
        Assert.True(cases.Count >= 80);
        int errors = cases.Count(c => TryLoad(c.Name, c.Bytes) is not null);
        // Flips inside string values can leave a readable file; most corruptions must still be caught.
        Assert.True(errors > cases.Count / 2, $"only {errors} of {cases.Count} corruptions were detected");
    }

    [Theory]
    [InlineData(-1, "has a negative footer length (-1)")]
    [InlineData(int.MinValue, "has a negative footer length (-2147483648)")]
    [InlineData(int.MaxValue, "has a footer length of 2147483647 bytes, more than the file's")]
    public void BadFooterLengthsAreNamed(int footer, string expected)
    {
        var bytes = WriteValidTask();
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 8, 4), footer);
        var error = TryLoad($"footer length {footer}", bytes);
        Assert.Equal($"{DataPath}: {expected}", error!.Message[..(DataPath.Length + 2 + expected.Length)]);
    }

    [Fact]
    public void ATextFileIsNotAParquetFileAndItsBytesAreNotQuoted()
    {
        WriteValidTask();
        var error = TryLoad("text file", TextFile);
        Assert.Equal($"{DataPath}: is not a Parquet file (it does not start with the PAR1 magic)", error!.Message);
    }

    [Fact]
    public void TruncationIsNamedAsSuch()
    {
        var valid = WriteValidTask();
        var error = TryLoad("truncated", valid[..^3]);
        Assert.Equal($"{DataPath}: is not a Parquet file, or is truncated (it does not end with the PAR1 magic)", error!.Message);
        error = TryLoad("tiny", valid[..11]);
        Assert.Equal($"{DataPath}: is not a Parquet file (11 bytes, shorter than the 12-byte framing)", error!.Message);
    }

    [Fact]
    public void ARowCountOverTheCapIsRefusedBeforeArraysAreSizedByIt()
    {
        // The example's footer (Thrift compact) ends its one row group with num_rows = 20 (field header 0x16,
        // zigzag varint 0x28) followed by file_offset (0x36); the count is replaced by 2^24 + 1.
        var valid = File.ReadAllBytes(RepositoryPaths.Combine("datasets", "examples", "arithmetic-choice.parquet"));
        int footer = BitConverter.ToInt32(valid, valid.Length - 8);
        int start = valid.Length - 8 - footer;
        int at = valid.AsSpan(start, footer).LastIndexOf(new byte[] { 0x16, 0x28, 0x36 });
        Assert.True(at > 0);
        at += start + 1;
        ulong zigzag = 2 * ((1UL << 24) + 1);
        var varint = new List<byte>();
        for (; zigzag >= 0x80; zigzag >>= 7) varint.Add((byte)(zigzag | 0x80));
        varint.Add((byte)zigzag);
        byte[] bytes = [.. valid[..at], .. varint, .. valid[(at + 1)..]];
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 8, 4), footer + varint.Count - 1);
        File.WriteAllText(_directory.Combine("task.yml"), "name: big\nkind: multiple_choice\ndata: data.parquet\nprompt: '{question}'\nchoices_column: choices\nanswer_column: answer\n");
        var error = TryLoad("row count 2^24 + 1", bytes);
        Assert.Equal($"{DataPath}: is corrupt or too large (row group 0 claims 16777217 rows, more than the 16777216-row limit)", error!.Message);
    }

    [Fact]
    public void AFooterOverTheCapIsRefusedBeforeParquetNetReadsIt()
    {
        // A stream claiming a footer of MaxFooterBytes + 1 inside a file long enough to hold it.
        long length = SafeParquetReader.MaxFooterBytes + 1 + 12L;
        using var stream = new SparseParquetStream(length, SafeParquetReader.MaxFooterBytes + 1);
        Assert.Equal($"has a footer length of {SafeParquetReader.MaxFooterBytes + 1} bytes, more than the {SafeParquetReader.MaxFooterBytes}-byte limit",
            SafeParquetReader.FramingProblem(stream));
    }

    /// <summary>A read-only stream of <c>length</c> zero bytes framed by PAR1 magics and a footer length.</summary>
    private sealed class SparseParquetStream(long length, int footer) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, Length - Position);
            for (int i = 0; i < n; i++) buffer[offset + i] = ByteAt(Position + i);
            Position += n;
            return n;
        }

        private byte ByteAt(long at)
        {
            Span<byte> tail = stackalloc byte[8];
            BitConverter.TryWriteBytes(tail, footer);
            "PAR1"u8.CopyTo(tail[4..]);
            return at < 4 ? "PAR1"u8[(int)at] : at >= Length - 8 ? tail[(int)(at - (Length - 8))] : (byte)0;
        }

        public override long Seek(long offset, SeekOrigin origin) =>
            Position = origin switch { SeekOrigin.Begin => offset, SeekOrigin.Current => Position + offset, _ => Length + offset };

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
