using System.Text.Json;
using Microsoft.Win32.SafeHandles;
using TorchSharp;

namespace EvoMerge.Tensors;

/// <summary>
/// Writes a model's weights as safetensors, sharded like HuggingFace (<c>model.safetensors</c>, or
/// <c>model-0000i-of-0000N.safetensors</c> plus <c>model.safetensors.index.json</c>). The full list of tensors is
/// known up front, so every shard's header is written first and tensors can then arrive one at a time, in any
/// order, without holding more than one in memory. Shards are written under temporary names, flushed, and renamed
/// only in <see cref="Complete"/>; the index (or the single file) appears last, so a crash never leaves a directory
/// that looks like a complete model.
/// </summary>
public sealed class SafetensorsWriter : IDisposable
{
    /// <summary>HuggingFace's default maximum shard size ("5GB").</summary>
    public const long DefaultMaxShardBytes = 5_000_000_000;

    private readonly string _directory;
    private readonly List<Shard> _shards = [];
    private readonly Dictionary<string, (Shard Shard, TensorSpec Spec, long Offset)> _placement = new(StringComparer.Ordinal);
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);
    private bool _completed;

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    /// <summary>Plans the shards and creates their temporary files with headers written.</summary>
    public SafetensorsWriter(string directory, IReadOnlyList<TensorSpec> plan, long maxShardBytes = DefaultMaxShardBytes,
        IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxShardBytes);
        _directory = directory;
        Directory.CreateDirectory(directory);

        var current = new List<TensorSpec>();
        long currentBytes = 0;
        var groups = new List<List<TensorSpec>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in plan)
        {
            if (!names.Add(spec.Name)) throw new ArgumentException($"tensor '{spec.Name}' is planned twice", nameof(plan));
            if (current.Count > 0 && currentBytes + spec.ByteLength > maxShardBytes)
            {
                groups.Add(current);
                current = [];
                currentBytes = 0;
            }
            current.Add(spec);
            currentBytes += spec.ByteLength;
        }
        groups.Add(current);

        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        meta.TryAdd("format", "pt");
        try
        {
            for (int i = 0; i < groups.Count; i++)
            {
                string finalName = groups.Count == 1 ? ModelWeights.SingleFileName : $"model-{i + 1:D5}-of-{groups.Count:D5}.safetensors";
                var shard = Shard.Create(Path.Combine(directory, finalName), groups[i], meta);
                _shards.Add(shard);
                foreach (var (spec, offset) in shard.Offsets) _placement[spec.Name] = (shard, spec, offset);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Final shard file names, in order.</summary>
    public IReadOnlyList<string> ShardNames => _shards.Select(s => Path.GetFileName(s.FinalPath)).ToArray();

    /// <summary>Writes one planned tensor; its dtype and shape must match the plan.</summary>
    public void Write(string name, torch.Tensor tensor)
    {
        var spec = Placement(name).Spec;
        var dtype = DTypes.FromScalarType(tensor.dtype);
        if (dtype != spec.DType || !tensor.shape.SequenceEqual(spec.Shape))
            throw new ArgumentException($"tensor '{name}' is {dtype} {string.Join("x", tensor.shape)}, planned as {spec.DType} {string.Join("x", spec.Shape)}");
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.device_type == DeviceType.CPU ? tensor : tensor.cpu();
        var contiguous = cpu.is_contiguous() ? cpu : cpu.contiguous();
        Write(name, contiguous.bytes);
    }

    /// <summary>Writes one planned tensor from raw little-endian bytes.</summary>
    public void Write(string name, ReadOnlySpan<byte> bytes)
    {
        var (shard, spec, offset) = Placement(name);
        if (bytes.Length != spec.ByteLength)
            throw new ArgumentException($"tensor '{name}' has {bytes.Length} bytes, planned {spec.ByteLength}");
        if (!_written.Add(name)) throw new InvalidOperationException($"tensor '{name}' was written twice");
        RandomAccess.Write(shard.Handle, bytes, offset);
    }

    private (Shard Shard, TensorSpec Spec, long Offset) Placement(string name)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        return _placement.TryGetValue(name, out var p) ? p : throw new ArgumentException($"tensor '{name}' is not in the write plan");
    }

    /// <summary>
    /// Checks every planned tensor was written, flushes and renames the shards, and writes the index last. Older
    /// weights files in the directory are removed first so the directory never mixes two models.
    /// </summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var missing = _placement.Keys.Where(n => !_written.Contains(n)).ToList();
        if (missing.Count > 0)
            throw new InvalidOperationException($"{_directory}: {missing.Count} planned tensor(s) never written, e.g. '{missing[0]}'");

        foreach (var shard in _shards)
        {
            RandomAccess.FlushToDisk(shard.Handle);
            shard.Handle.Dispose();
        }
        AtomicFile.TryDelete(Path.Combine(_directory, ModelWeights.IndexFileName));
        AtomicFile.TryDelete(Path.Combine(_directory, ModelWeights.SingleFileName));
        foreach (string old in Directory.EnumerateFiles(_directory, "model-*-of-*.safetensors")) AtomicFile.TryDelete(old);

        foreach (var shard in _shards) AtomicFile.Commit(shard.TempPath, shard.FinalPath);
        if (_shards.Count > 1) AtomicFile.WriteAllText(Path.Combine(_directory, ModelWeights.IndexFileName), IndexJson());
        _completed = true;
    }

    private string IndexJson()
    {
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long total = 0;
        foreach (var (name, p) in _placement)
        {
            weightMap[name] = Path.GetFileName(p.Shard.FinalPath);
            total += p.Spec.ByteLength;
        }
        var index = new Dictionary<string, object>
        {
            ["metadata"] = new Dictionary<string, long> { ["total_size"] = total },
            ["weight_map"] = weightMap,
        };
        return JsonSerializer.Serialize(index, IndentedJson) + "\n";
    }

    /// <summary>Writes a whole model from tensors in memory (convenience for tests and small models).</summary>
    public static IReadOnlyList<string> WriteModel(string directory, IReadOnlyList<(string Name, torch.Tensor Tensor)> tensors,
        long maxShardBytes = DefaultMaxShardBytes, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var plan = tensors.Select(t => new TensorSpec(t.Name, DTypes.FromScalarType(t.Tensor.dtype), t.Tensor.shape)).ToList();
        using var writer = new SafetensorsWriter(directory, plan, maxShardBytes, metadata);
        foreach (var (name, tensor) in tensors) writer.Write(name, tensor);
        writer.Complete();
        return writer.ShardNames;
    }

    /// <summary>Removes the temporary files of an incomplete write.</summary>
    public void Dispose()
    {
        if (_completed) return;
        foreach (var shard in _shards)
        {
            shard.Handle.Dispose();
            AtomicFile.TryDelete(shard.TempPath);
        }
        _completed = true;
    }

    private sealed class Shard
    {
        private Shard(string finalPath, string tempPath, SafeFileHandle handle, List<(TensorSpec, long)> offsets)
        {
            FinalPath = finalPath;
            TempPath = tempPath;
            Handle = handle;
            Offsets = offsets;
        }

        public string FinalPath { get; }
        public string TempPath { get; }
        public SafeFileHandle Handle { get; }
        public List<(TensorSpec Spec, long Offset)> Offsets { get; }

        public static Shard Create(string finalPath, List<TensorSpec> specs, IReadOnlyDictionary<string, string> metadata)
        {
            byte[] header = BuildHeader(specs, metadata, out long dataBytes);
            long dataStart = 8 + header.Length;
            var offsets = new List<(TensorSpec, long)>();
            long position = dataStart;
            foreach (var spec in specs)
            {
                offsets.Add((spec, position));
                position += spec.ByteLength;
            }
            string temp = AtomicFile.TempPathFor(finalPath);
            var handle = File.OpenHandle(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.None, dataStart + dataBytes);
            Span<byte> length = stackalloc byte[8];
            BitConverter.TryWriteBytes(length, (ulong)header.Length);
            RandomAccess.Write(handle, length, 0);
            RandomAccess.Write(handle, header, 8);
            return new Shard(finalPath, temp, handle, offsets);
        }

        private static byte[] BuildHeader(List<TensorSpec> specs, IReadOnlyDictionary<string, string> metadata, out long dataBytes)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteStartObject("__metadata__");
                foreach (var (k, v) in metadata) json.WriteString(k, v);
                json.WriteEndObject();
                long offset = 0;
                foreach (var spec in specs)
                {
                    json.WriteStartObject(spec.Name);
                    json.WriteString("dtype", spec.DType.ToSafetensorsName());
                    json.WriteStartArray("shape");
                    foreach (long d in spec.Shape) json.WriteNumberValue(d);
                    json.WriteEndArray();
                    json.WriteStartArray("data_offsets");
                    json.WriteNumberValue(offset);
                    json.WriteNumberValue(offset + spec.ByteLength);
                    json.WriteEndArray();
                    json.WriteEndObject();
                    offset += spec.ByteLength;
                }
                json.WriteEndObject();
                dataBytes = offset;
            }
            int padding = (int)((8 - buffer.Length % 8) % 8);
            for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
            return buffer.ToArray();
        }
    }
}
