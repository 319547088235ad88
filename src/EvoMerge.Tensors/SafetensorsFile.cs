using System.IO.MemoryMappedFiles;
using TorchSharp;

namespace EvoMerge.Tensors;

/// <summary>
/// One safetensors file, memory mapped read-only. Tensors are read lazily: only the bytes of a tensor that is
/// asked for are touched, and a TorchSharp tensor exists only when <see cref="Load"/> or <see cref="ReadInto"/>
/// is called.
/// </summary>
public sealed unsafe class SafetensorsFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly Dictionary<string, TensorInfo> _byName;
    private readonly Dictionary<torch.ScalarType, torch.Tensor> _wholeFileViews = [];
    private readonly Lock _viewsGate = new();
    private bool _disposed;

    private SafetensorsFile(string path, SafetensorsHeader header, long length)
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("safetensors data is little-endian; this host is not");
        Path = path;
        Header = header;
        Length = length;
        _byName = header.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    /// <summary>Path of the file.</summary>
    public string Path { get; }

    /// <summary>The validated header.</summary>
    public SafetensorsHeader Header { get; }

    /// <summary>File size in bytes.</summary>
    public long Length { get; }

    /// <summary>Tensor entries in file order.</summary>
    public IReadOnlyList<TensorInfo> Tensors => Header.Tensors;

    /// <summary>The "__metadata__" map.</summary>
    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;

    /// <summary>Opens and validates a file; malformed files raise <see cref="SafetensorsFormatException"/>.</summary>
    public static SafetensorsFile Open(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"{path}: safetensors file not found", path);
        SafetensorsHeader header;
        long length;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            length = stream.Length;
            header = SafetensorsHeader.Read(stream, path);
        }
        return new SafetensorsFile(path, header, length);
    }

    /// <summary>True when the file holds a tensor of that name.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>The header entry of a tensor.</summary>
    public TensorInfo Info(string name) =>
        _byName.TryGetValue(name, out var info)
            ? info
            : throw new KeyNotFoundException($"{Path}: no tensor named '{name}'");

    /// <summary>The raw little-endian bytes of a tensor, straight from the mapping (no copy).</summary>
    public ReadOnlySpan<byte> GetBytes(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = Info(name);
        return new ReadOnlySpan<byte>(_base + Header.DataOffset + info.DataBegin, checked((int)info.ByteLength));
    }

    /// <summary>Pointer to a tensor's bytes inside the mapping; valid until this file is disposed.</summary>
    public IntPtr GetPointer(string name)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return (IntPtr)(_base + Header.DataOffset + Info(name).DataBegin);
    }

    /// <summary>
    /// Materialises a tensor as a new CPU TorchSharp tensor, converted to <paramref name="dtype"/> when given
    /// (conversions are torch's: exact widening, round-to-nearest-even narrowing).
    /// </summary>
    public torch.Tensor Load(string name, torch.ScalarType? dtype = null)
    {
        var info = Info(name);
        if (dtype is { } target && target != info.DType.ToScalarType())
        {
            using var view = MappedView(info);
            return view.to(target);
        }
        var stored = torch.empty(info.Shape, info.DType.ToScalarType(), torch.CPU);
        CopyInto(info, stored);
        return stored;
    }

    /// <summary>
    /// Reads a tensor into an existing contiguous CPU tensor with the same number of elements (any dtype; the
    /// values are converted in one pass straight from the mapping). Reusing destinations avoids the slow first
    /// touch of fresh memory.
    /// </summary>
    public void ReadInto(string name, torch.Tensor destination)
    {
        var info = Info(name);
        if (destination.numel() != info.ElementCount)
            throw new ArgumentException($"{Path}: tensor '{name}' has {info.ElementCount} elements, destination has {destination.numel()}");
        if (!destination.is_contiguous())
            throw new ArgumentException("destination tensor must be contiguous", nameof(destination));
        if (destination.dtype == info.DType.ToScalarType() && destination.device_type == DeviceType.CPU)
        {
            CopyInto(info, destination);
            return;
        }
        using var scope = torch.NewDisposeScope();
        destination.view(info.Shape).copy_(MappedView(info));
    }

    /// <summary>
    /// A read-only tensor view of the stored bytes, without copying: a private mapping of the whole file viewed at
    /// the tensor's offset. Writes to it never reach the file. The caller disposes the view; the file must stay open
    /// while it is used.
    /// </summary>
    public torch.Tensor MappedView(string name) => MappedView(Info(name));

    private torch.Tensor MappedView(TensorInfo info)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var type = info.DType.ToScalarType();
        int size = info.DType.SizeOf();
        long absolute = Header.DataOffset + info.DataBegin;
        if (absolute % size != 0 || info.ElementCount == 0)
        {
            var copy = torch.empty(info.Shape, type, torch.CPU);
            CopyInto(info, copy);
            return copy;
        }
        torch.Tensor whole;
        lock (_viewsGate)
        {
            if (!_wholeFileViews.TryGetValue(type, out whole!))
            {
                whole = torch.from_file(Path, shared: false, size: Length / size, dtype: type).DetachFromDisposeScope();
                _wholeFileViews[type] = whole;
            }
        }
        return whole.narrow(0, absolute / size, info.ElementCount).view(info.Shape);
    }

    private void CopyInto(TensorInfo info, torch.Tensor destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (info.ByteLength == 0) return;
        byte* source = _base + Header.DataOffset + info.DataBegin;
        Span<byte> target = destination.bytes;
        fixed (byte* dst = target)
        {
            Buffer.MemoryCopy(source, dst, target.Length, info.ByteLength);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var view in _wholeFileViews.Values) view.Dispose();
        _wholeFileViews.Clear();
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
