using Xunit;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Tests.Tensors;

public class SafetensorsRoundTripTests
{
    public static TheoryData<DType> AllDTypes() => new(Enum.GetValues<DType>());

    private static torch.Tensor RandomTensor(DType dtype, long[] shape, int seed)
    {
        var generator = new torch.Generator((ulong)seed);
        return dtype switch
        {
            DType.Bool => torch.randint(0, 2, shape, generator: generator).to(torch.ScalarType.Bool),
            DType.U8 => torch.randint(0, 256, shape, generator: generator).to(torch.ScalarType.Byte),
            DType.I8 => torch.randint(-128, 128, shape, generator: generator).to(torch.ScalarType.Int8),
            DType.I16 => torch.randint(-32768, 32768, shape, generator: generator).to(torch.ScalarType.Int16),
            DType.I32 => torch.randint(int.MinValue, int.MaxValue, shape, generator: generator).to(torch.ScalarType.Int32),
            DType.I64 => torch.randint(long.MinValue / 2, long.MaxValue / 2, shape, dtype: torch.ScalarType.Int64, generator: generator),
            _ => (torch.randn(shape, dtype: torch.ScalarType.Float64, generator: generator) * 100).to(dtype.ToScalarType()),
        };
    }

    [Theory]
    [MemberData(nameof(AllDTypes))]
    public void EveryDTypeRoundTripsBitIdentically(DType dtype)
    {
        using var dir = new TempDirectory();
        using var a = RandomTensor(dtype, [3, 5, 7], 1);
        using var scalar = RandomTensor(dtype, [], 2);
        using var empty = RandomTensor(dtype, [0, 4], 3);
        SafetensorsWriter.WriteModel(dir.Path, [("a", a), ("scalar", scalar), ("empty", empty)]);

        using var file = SafetensorsFile.Open(dir.Combine("model.safetensors"));
        Assert.Equal("pt", file.Metadata["format"]);
        foreach (var (name, expected) in new[] { ("a", a), ("scalar", scalar), ("empty", empty) })
        {
            Assert.Equal(dtype, file.Info(name).DType);
            using var loaded = file.Load(name);
            Assert.Equal(expected.shape, loaded.shape);
            Assert.Equal(expected.dtype, loaded.dtype);
            Assert.Equal(expected.bytes.ToArray(), loaded.bytes.ToArray());
        }
    }

    [Fact]
    public void ThreeShardModelRoundTripsThroughTheIndex()
    {
        using var dir = new TempDirectory();
        var tensors = Enumerable.Range(0, 9)
            .Select(i => ($"model.layers.{i}.mlp.up_proj.weight", RandomTensor(i % 2 == 0 ? DType.BF16 : DType.F32, [16, 16], i)))
            .ToList();
        // 16*16*4 = 1 KiB (fp32) / 512 B (bf16) per tensor; a 3 KiB shard limit gives three shards.
        var shards = SafetensorsWriter.WriteModel(dir.Path, tensors, maxShardBytes: 3 * 1024);
        Assert.Equal(["model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors", "model-00003-of-00003.safetensors"], shards);
        Assert.True(File.Exists(dir.Combine(ModelWeights.IndexFileName)));
        Assert.False(File.Exists(dir.Combine(ModelWeights.SingleFileName)));

        using var weights = ModelWeights.Open(dir.Path);
        Assert.Equal(3, weights.ShardFiles.Count);
        Assert.Equal(tensors.Select(t => t.Item1), weights.Names);
        foreach (var (name, expected) in tensors)
        {
            using var loaded = weights.Load(name);
            Assert.Equal(expected.bytes.ToArray(), loaded.bytes.ToArray());
            expected.Dispose();
        }
    }

    [Fact]
    public void ReadIntoConvertsLikeTorchAndReusesTheDestination()
    {
        using var dir = new TempDirectory();
        using var source = RandomTensor(DType.BF16, [8, 8], 7);
        SafetensorsWriter.WriteModel(dir.Path, [("w", source)]);
        using var file = SafetensorsFile.Open(dir.Combine("model.safetensors"));
        using var destination = torch.zeros(64, dtype: torch.ScalarType.Float32);
        file.ReadInto("w", destination);
        using var expected = source.to(torch.ScalarType.Float32).flatten();
        Assert.True(expected.equal(destination).all().item<bool>());
        using var converted = file.Load("w", torch.ScalarType.Float16);
        using var expectedHalf = source.to(torch.ScalarType.Float16);
        Assert.Equal(expectedHalf.bytes.ToArray(), converted.bytes.ToArray());
    }

    [Fact]
    public void AbandonedWriteLeavesNothingThatLooksLikeAModel()
    {
        using var dir = new TempDirectory();
        using var a = torch.ones(4);
        using (var writer = new SafetensorsWriter(dir.Path, [new TensorSpec("a", DType.F32, [4]), new TensorSpec("b", DType.F32, [4])]))
        {
            writer.Write("a", a);
            // No Complete(): the process "crashed" half way.
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }

    [Fact]
    public void CompleteRefusesWhenAPlannedTensorWasNeverWritten()
    {
        using var dir = new TempDirectory();
        using var a = torch.ones(4);
        using var writer = new SafetensorsWriter(dir.Path, [new TensorSpec("a", DType.F32, [4]), new TensorSpec("b", DType.F32, [4])]);
        writer.Write("a", a);
        var error = Assert.Throws<InvalidOperationException>(writer.Complete);
        Assert.Contains("'b'", error.Message);
        Assert.False(File.Exists(dir.Combine(ModelWeights.SingleFileName)));
    }

    [Fact]
    public void RewritingADirectoryReplacesTheOldShardsInsteadOfMixingThem()
    {
        using var dir = new TempDirectory();
        var big = Enumerable.Range(0, 4).Select(i => ($"t{i}", torch.full(256, (float)i))).ToList();
        SafetensorsWriter.WriteModel(dir.Path, big, maxShardBytes: 1024);
        Assert.Equal(4, Directory.GetFiles(dir.Path, "model-*.safetensors").Length);
        using var one = torch.ones(3);
        SafetensorsWriter.WriteModel(dir.Path, [("x", one)]);
        Assert.Empty(Directory.GetFiles(dir.Path, "model-*.safetensors"));
        Assert.False(File.Exists(dir.Combine(ModelWeights.IndexFileName)));
        using var weights = ModelWeights.Open(dir.Path);
        Assert.Equal(["x"], weights.Names);
        foreach (var (_, t) in big) t.Dispose();
    }
}
