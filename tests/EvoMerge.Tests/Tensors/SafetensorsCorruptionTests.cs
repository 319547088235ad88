using Xunit;
using System.Text;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Tests.Tensors;

/// <summary>Malformed files must give a clean error naming the file (and tensor), never a crash or a hang.</summary>
public class SafetensorsCorruptionTests
{
    private static byte[] ValidFile()
    {
        using var dir = new TempDirectory();
        using var a = torch.arange(12, dtype: torch.ScalarType.Float32).reshape(3, 4);
        using var b = torch.arange(6, dtype: torch.ScalarType.Int64);
        using var c = torch.ones(5, dtype: torch.ScalarType.BFloat16);
        SafetensorsWriter.WriteModel(dir.Path, [("a", a), ("b", b), ("c", c)]);
        return File.ReadAllBytes(dir.Combine("model.safetensors"));
    }

    private static byte[] WithHeader(string json, int dataBytes)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var file = new byte[8 + header.Length + dataBytes];
        BitConverter.TryWriteBytes(file.AsSpan(0, 8), (ulong)header.Length);
        header.CopyTo(file, 8);
        return file;
    }

    /// <summary>Opens the bytes as a file and loads every tensor; returns the error, or null when the file is valid.</summary>
    private static SafetensorsFormatException? TryReadAll(byte[] bytes, string path)
    {
        File.WriteAllBytes(path, bytes);
        try
        {
            using var file = SafetensorsFile.Open(path);
            foreach (var t in file.Tensors)
            {
                using var loaded = file.Load(t.Name);
                using var converted = file.Load(t.Name, torch.ScalarType.Float32);
            }
            return null;
        }
        catch (SafetensorsFormatException e)
        {
            Assert.Contains(path, e.Message);
            return e;
        }
    }

    [Fact]
    public void EveryTruncationIsACleanError()
    {
        using var dir = new TempDirectory();
        var valid = ValidFile();
        string path = dir.Combine("truncated.safetensors");
        for (int length = 0; length < valid.Length; length++)
        {
            var error = TryReadAll(valid[..length], path);
            Assert.NotNull(error);
        }
    }

    [Fact]
    public void HundredsOfRandomHeaderCorruptionsAreCleanErrorsOrValidFiles()
    {
        using var dir = new TempDirectory();
        var valid = ValidFile();
        int headerLength = (int)BitConverter.ToUInt64(valid, 0);
        var random = new Random(20261123);
        string path = dir.Combine("fuzz.safetensors");
        int errors = 0;
        const int cases = 600;
        byte[] interesting = "{}[]\",:0123456789-e.Ex \0\xff"u8.ToArray();
        for (int i = 0; i < cases; i++)
        {
            var bytes = (byte[])valid.Clone();
            int flips = 1 + random.Next(4);
            for (int f = 0; f < flips; f++)
            {
                int at = random.Next(0, 8 + headerLength);
                bytes[at] = random.Next(3) == 0 ? (byte)random.Next(256) : interesting[random.Next(interesting.Length)];
            }
            if (random.Next(5) == 0) bytes = bytes[..random.Next(bytes.Length)];
            if (TryReadAll(bytes, path) is not null) errors++;
        }
        // Most corruptions must be detected; those that are not must still read cleanly (checked above).
        Assert.True(errors > cases / 2, $"only {errors} of {cases} corruptions were detected");
    }

    public static TheoryData<string, int, string> CraftedHeaders() => new()
    {
        { "not json at all", 0, "not valid JSON" },
        { "[1,2,3]", 0, "must be a JSON object" },
        { "[]", 0, "must be a JSON object, found Array" },
        { "1", 0, "must be a JSON object, found Number" },
        { "\"x\"", 0, "must be a JSON object, found String" },
        { "null", 0, "must be a JSON object, found Null" },
        { "", 0, "header length is 0" },
        { """{"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}""", 2, "unknown dtype 'F8_E4M3'" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "overlap" },
        { """{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 8, "outside the data section" },
        { """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "does not match shape" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, "duplicate tensor name" },
        { """{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "non-negative integer" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", 8, "end before they begin" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}""", 8, "two integers" },
        { """{"a":{"dtype":"F32","shape":[2]}}""", 8, "data_offsets" },
        { """{"a":{"shape":[2],"data_offsets":[0,8]}}""", 8, "dtype" },
        { """{"__metadata__":{"format":3}}""", 0, "must be a string" },
        { """{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}""", 8, "overflows" },
    };

    [Theory]
    [MemberData(nameof(CraftedHeaders))]
    public void CraftedHeaderErrorsNameTheProblem(string json, int dataBytes, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("crafted.safetensors");
        var error = TryReadAll(WithHeader(json, dataBytes), path);
        Assert.NotNull(error);
        Assert.Contains(expected, error!.Message);
    }

    [Fact]
    public void HeaderLengthPastTheEndOfTheFileIsReported()
    {
        using var dir = new TempDirectory();
        var bytes = ValidFile();
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), (ulong)bytes.Length);
        var error = TryReadAll(bytes, dir.Combine("long-header.safetensors"));
        Assert.Contains("runs past the end of the file", error!.Message);
    }

    [Theory]
    [InlineData(ulong.MaxValue, "exceeds the 104857600-byte limit")]
    [InlineData(1UL << 63, "exceeds the 104857600-byte limit")]
    [InlineData(104857601UL, "exceeds the 104857600-byte limit")]
    [InlineData(104857600UL, "runs past the end of the file")]
    public void HugeHeaderLengthsAreReported(ulong length, string expected)
    {
        using var dir = new TempDirectory();
        var bytes = ValidFile();
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), length);
        var error = TryReadAll(bytes, dir.Combine("huge-header.safetensors"));
        Assert.Contains(expected, error!.Message);
    }

    [Fact]
    public void EmptyHeaderIsAValidFileWithNoTensors()
    {
        using var dir = new TempDirectory();
        string path = dir.Combine("empty.safetensors");
        File.WriteAllBytes(path, WithHeader("{}", 0));
        using var file = SafetensorsFile.Open(path);
        Assert.Empty(file.Tensors);
    }

    /// <summary>A tiny model whose model.safetensors is replaced by <paramref name="bytes"/>.</summary>
    private static void WriteModelWithWeights(string directory, byte[] bytes)
    {
        TinyDecoderWriter.WriteRandom(directory, new TinyDecoderSpec(), seed: 5);
        File.WriteAllBytes(Path.Combine(directory, ModelWeights.SingleFileName), bytes);
    }

    [Theory]
    [InlineData("{}", "holds no tensors")]
    [InlineData("""{"__metadata__":{"format":"pt"}}""", "holds no tensors")]
    [InlineData("[]", "must be a JSON object, found Array")]
    [InlineData("1", "must be a JSON object, found Number")]
    public void ModelSummaryOfAModelWithoutTensorsIsAnErrorNamingTheFile(string header, string expected)
    {
        using var dir = new TempDirectory();
        WriteModelWithWeights(dir.Path, WithHeader(header, 0));
        using var model = ModelDirectory.Open(dir.Path);
        var error = Assert.Throws<SafetensorsFormatException>(() => ModelSummary.Of(model));
        Assert.StartsWith(dir.Combine(ModelWeights.SingleFileName) + ": ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void IndexWithAnEmptyWeightMapIsAnErrorNamingTheIndex()
    {
        using var dir = new TempDirectory();
        WriteModelWithWeights(dir.Path, WithHeader("{}", 0));
        File.WriteAllText(dir.Combine(ModelWeights.IndexFileName), """{"weight_map":{}}""");
        var error = Assert.Throws<SafetensorsFormatException>(() => ModelWeights.Open(dir.Path));
        Assert.Equal($"{dir.Combine(ModelWeights.IndexFileName)}: weight_map names no tensors (a model needs at least one)", error.Message);
    }

    [Fact]
    public void TensorErrorsNameTheTensor()
    {
        using var dir = new TempDirectory();
        var error = TryReadAll(WithHeader("""{"layer.weight":{"dtype":"BF16","shape":[3],"data_offsets":[0,8]}}""", 8), dir.Combine("t.safetensors"));
        Assert.Equal("layer.weight", error!.Tensor);
        Assert.Contains("'layer.weight'", error.Message);
    }

    [Fact]
    public void IndexNamingAMissingShardIsReported()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine(ModelWeights.IndexFileName), """{"weight_map":{"a":"model-00001-of-00002.safetensors"}}""");
        var error = Assert.Throws<SafetensorsFormatException>(() => ModelWeights.Open(dir.Path));
        Assert.Contains("model-00001-of-00002.safetensors", error.Message);
        Assert.Contains(ModelWeights.IndexFileName, error.Message);
    }

    [Fact]
    public void IndexPlacingATensorInTheWrongShardIsReported()
    {
        using var dir = new TempDirectory();
        using var a = torch.ones(2);
        SafetensorsWriter.WriteModel(dir.Path, [("a", a)]);
        File.Move(dir.Combine("model.safetensors"), dir.Combine("shard.safetensors"));
        File.WriteAllText(dir.Combine(ModelWeights.IndexFileName), """{"weight_map":{"a":"shard.safetensors","b":"shard.safetensors"}}""");
        var error = Assert.Throws<SafetensorsFormatException>(() => ModelWeights.Open(dir.Path));
        Assert.Equal("b", error.Tensor);
    }

    [Fact]
    public void IndexThatIsNotJsonIsReported()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine(ModelWeights.IndexFileName), "{weight_map:");
        var error = Assert.Throws<SafetensorsFormatException>(() => ModelWeights.Open(dir.Path));
        Assert.Contains("not valid JSON", error.Message);
    }
}
