using EvoMerge.Tensors;
using Microsoft.Win32.SafeHandles;
using TorchSharp;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// Reads input tensors into buffers that live for the whole merge (or many merges), so memory is touched once
/// instead of once per tensor (first touch of fresh memory is slow on the target machines). Each input slot owns one
/// buffer per dtype, sized for the largest tensor; a read returns a view of the slot's buffer, valid until the slot
/// is read again.
/// Bytes come from the safetensors shards with positional reads (pread) at the offsets of their validated headers:
/// one copy out of the page cache, like copying from a memory map, but the inputs never count towards the process's
/// resident set (a mapping would add every byte read to it).
/// Stored values are converted by torch (exact widening, round-to-nearest-even narrowing). A tensor a LoRA adapter
/// changes (<see cref="ModelWeights.Adapter"/>) is adapted in float32 after the read and rounded once to the
/// requested dtype. The buffers are CPU memory; on another device (<see cref="ComputeDevice.Use"/>) a read is
/// copied to it, so the merge math runs there.
/// </summary>
public sealed class InputTensorReader : IDisposable
{
    private const int MaxReadBytes = 1 << 30;

    private readonly Dictionary<(int Slot, torch.ScalarType DType), torch.Tensor> _buffers = [];
    private readonly Dictionary<torch.ScalarType, torch.Tensor> _staging = [];
    private readonly Dictionary<torch.ScalarType, torch.Tensor> _adapted = [];
    private readonly Dictionary<string, SafeFileHandle> _files = new(StringComparer.Ordinal);
    private long _capacity = 1;

    /// <summary>
    /// Makes every buffer hold at least <paramref name="elements"/> elements, so a merge allocates its buffers once
    /// (buffers that are too small are replaced when next used). One reader can serve many merges.
    /// </summary>
    public void Reserve(long elements) => _capacity = Math.Max(_capacity, elements);

    /// <summary>Bytes of the buffers allocated so far (every slot, staging and adapter buffer).</summary>
    public long BufferBytes => _buffers.Values.Concat(_staging.Values).Concat(_adapted.Values).Sum(b => b.numel() * b.ElementSize);

    /// <summary>Bytes read from files so far (as stored).</summary>
    public long BytesRead { get; private set; }

    /// <summary>
    /// Reads <paramref name="name"/> from <paramref name="weights"/> into slot <paramref name="slot"/>, converted to
    /// <paramref name="dtype"/>. The returned view is registered on the caller's dispose scope.
    /// </summary>
    public torch.Tensor Read(int slot, ModelWeights weights, string name, torch.ScalarType dtype)
    {
        var file = weights.FileOf(name);
        var info = file.Info(name);
        Reserve(info.ElementCount);
        var stored = info.DType.ToScalarType();
        var target = Buffer(_buffers, (slot, dtype), dtype).narrow(0, 0, info.ElementCount);
        var landing = stored == dtype ? target : Buffer(_staging, stored, stored).narrow(0, 0, info.ElementCount);
        ReadBytes(Handle(file.Path), file.Header.DataOffset + info.DataBegin, landing, info.ByteLength, file.Path, name);
        if (weights.Adapter is { } adapter && adapter.UpdateOf(name) is not null)
        {
            var exact = stored == torch.ScalarType.Float32 ? landing : Buffer(_adapted, torch.ScalarType.Float32, torch.ScalarType.Float32).narrow(0, 0, info.ElementCount);
            if (!ReferenceEquals(exact, landing)) exact.copy_(landing);
            adapter.Apply(name, exact.view(info.Shape));
            landing = exact;
        }
        if (!ReferenceEquals(landing, target)) target.copy_(landing);
        BytesRead += info.ByteLength;
        var device = ComputeDevice.Current;
        return device.type == DeviceType.CPU ? target.view(info.Shape) : target.view(info.Shape).to(device);
    }

    /// <summary>
    /// A view of a scratch buffer of <paramref name="dtype"/> shaped <paramref name="shape"/>, for casting results
    /// without allocating; slot numbers share the space of <see cref="Read"/>'s slots.
    /// </summary>
    public torch.Tensor Scratch(int slot, torch.ScalarType dtype, long[] shape)
    {
        long elements = shape.Aggregate(1L, (a, b) => a * b);
        Reserve(elements);
        return Buffer(_buffers, (slot, dtype), dtype).narrow(0, 0, elements).view(shape);
    }

    private torch.Tensor Buffer<TKey>(Dictionary<TKey, torch.Tensor> buffers, TKey key, torch.ScalarType dtype) where TKey : notnull
    {
        if (!buffers.TryGetValue(key, out var buffer) || buffer.numel() < _capacity)
        {
            buffer?.Dispose();
            buffer = torch.empty(_capacity, dtype, torch.CPU).DetachFromDisposeScope();
            buffers[key] = buffer;
        }
        return buffer;
    }

    private SafeFileHandle Handle(string path)
    {
        if (!_files.TryGetValue(path, out var handle))
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            _files[path] = handle;
        }
        return handle;
    }

    private static void ReadBytes(SafeFileHandle handle, long fileOffset, torch.Tensor destination, long byteLength, string path, string name)
    {
        long elementSize = destination.ElementSize;
        long elementsPerChunk = MaxReadBytes / elementSize;
        long done = 0;
        while (done < byteLength)
        {
            long elements = Math.Min(elementsPerChunk, (byteLength - done) / elementSize);
            using var chunk = destination.narrow(0, done / elementSize, elements);
            var span = chunk.bytes;
            int filled = 0;
            while (filled < span.Length)
            {
                int read = RandomAccess.Read(handle, span[filled..], fileOffset + done + filled);
                if (read == 0) throw new SafetensorsFormatException(path, name, "file ends before the tensor's data does");
                filled += read;
            }
            done += span.Length;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var buffer in _buffers.Values.Concat(_staging.Values).Concat(_adapted.Values)) buffer.Dispose();
        foreach (var handle in _files.Values) handle.Dispose();
        _buffers.Clear();
        _staging.Clear();
        _adapted.Clear();
        _files.Clear();
    }
}
