using System.Text.Unicode;
using System.Text.Json;

namespace EvoMerge.Tensors;

/// <summary>
/// The parsed and validated header of one safetensors file: an 8-byte little-endian length, a JSON object of
/// name → {dtype, shape, data_offsets} with an optional "__metadata__" string map, then the raw data.
/// </summary>
public sealed class SafetensorsHeader
{
    /// <summary>Headers larger than this are refused (the reference implementation uses the same bound).</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private SafetensorsHeader(IReadOnlyList<TensorInfo> tensors, IReadOnlyDictionary<string, string> metadata, long dataOffset)
    {
        Tensors = tensors;
        Metadata = metadata;
        DataOffset = dataOffset;
    }

    /// <summary>Tensors in file order (sorted by data offset).</summary>
    public IReadOnlyList<TensorInfo> Tensors { get; }

    /// <summary>The "__metadata__" map (empty when absent).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Absolute file offset of the data section (8 + header length).</summary>
    public long DataOffset { get; }

    /// <summary>Reads and validates the header of <paramref name="path"/>.</summary>
    public static SafetensorsHeader Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        return Read(stream, path);
    }

    /// <summary>Reads and validates a header from a stream positioned at the file start.</summary>
    public static SafetensorsHeader Read(Stream stream, string path)
    {
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw new SafetensorsFormatException(path, null, $"file is {fileLength} bytes, shorter than the 8-byte header length");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BitConverter.ToUInt64(lengthBytes);
        if (headerLength == 0)
            throw new SafetensorsFormatException(path, null, "header length is 0");
        if (headerLength > (ulong)MaxHeaderBytes)
            throw new SafetensorsFormatException(path, null, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit");
        if (headerLength > (ulong)(fileLength - 8))
            throw new SafetensorsFormatException(path, null, $"header length {headerLength} runs past the end of the file ({fileLength} bytes)");
        var json = new byte[headerLength];
        stream.ReadExactly(json);
        return Parse(json, path, fileLength);
    }

    /// <summary>Validates header JSON bytes against a file of <paramref name="fileLength"/> bytes.</summary>
    public static SafetensorsHeader Parse(ReadOnlySpan<byte> json, string path, long fileLength)
    {
        long dataOffset = 8 + json.Length;
        long dataLength = fileLength - dataOffset;
        if (!Utf8.IsValid(json))
            throw new SafetensorsFormatException(path, null, "header is not valid UTF-8");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, null, $"header is not valid JSON ({e.Message})");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(path, null, $"header must be a JSON object, found {doc.RootElement.ValueKind}");

            var tensors = new List<TensorInfo>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                string name = property.Name;
                if (!seen.Add(name))
                    throw new SafetensorsFormatException(path, name, "duplicate tensor name in header");
                if (name == "__metadata__")
                {
                    ReadMetadata(property.Value, metadata, path);
                    continue;
                }
                tensors.Add(ReadTensor(name, property.Value, path, dataLength));
            }

            tensors.Sort((a, b) => a.DataBegin != b.DataBegin ? a.DataBegin.CompareTo(b.DataBegin) : a.DataEnd.CompareTo(b.DataEnd));
            for (int i = 1; i < tensors.Count; i++)
            {
                var previous = tensors[i - 1];
                var current = tensors[i];
                if (current.DataBegin < previous.DataEnd && current.ByteLength > 0 && previous.ByteLength > 0)
                    throw new SafetensorsFormatException(path, current.Name,
                        $"data_offsets [{current.DataBegin}, {current.DataEnd}] overlap tensor '{previous.Name}' [{previous.DataBegin}, {previous.DataEnd}]");
            }
            return new SafetensorsHeader(tensors, metadata, dataOffset);
        }
    }

    private static void ReadMetadata(JsonElement element, Dictionary<string, string> metadata, string path)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, null, "__metadata__ must be an object of strings");
        foreach (var entry in element.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new SafetensorsFormatException(path, null, $"__metadata__ value '{entry.Name}' must be a string");
            if (!metadata.TryAdd(entry.Name, entry.Value.GetString()!))
                throw new SafetensorsFormatException(path, null, $"__metadata__ has duplicate key '{entry.Name}'");
        }
    }

    private static TensorInfo ReadTensor(string name, JsonElement entry, string path, long dataLength)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, name, "header entry must be an object with dtype, shape and data_offsets");
        if (!entry.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
            throw new SafetensorsFormatException(path, name, "missing or non-string 'dtype'");
        string dtypeName = dtypeElement.GetString()!;
        if (!DTypes.TryParseSafetensorsName(dtypeName, out var dtype))
            throw new SafetensorsFormatException(path, name, $"unknown dtype '{dtypeName}'");

        if (!entry.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw new SafetensorsFormatException(path, name, "missing or non-array 'shape'");
        var shape = new long[shapeElement.GetArrayLength()];
        long elements = 1;
        int i = 0;
        foreach (var dim in shapeElement.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out long d) || d < 0)
                throw new SafetensorsFormatException(path, name, $"shape entry {i} is not a non-negative integer");
            shape[i++] = d;
            try
            {
                elements = checked(elements * d);
            }
            catch (OverflowException)
            {
                throw new SafetensorsFormatException(path, name, "shape element count overflows");
            }
        }

        if (!entry.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw new SafetensorsFormatException(path, name, "'data_offsets' must be an array of two integers");
        long begin = ReadOffset(offsets[0], path, name);
        long end = ReadOffset(offsets[1], path, name);
        if (end < begin)
            throw new SafetensorsFormatException(path, name, $"data_offsets [{begin}, {end}] end before they begin");
        if (end > dataLength)
            throw new SafetensorsFormatException(path, name, $"data_offsets [{begin}, {end}] lie outside the data section ({dataLength} bytes)");
        long expected;
        try
        {
            expected = checked(elements * dtype.SizeOf());
        }
        catch (OverflowException)
        {
            throw new SafetensorsFormatException(path, name, "byte size overflows");
        }
        if (end - begin != expected)
            throw new SafetensorsFormatException(path, name,
                $"byte count {end - begin} does not match shape [{string.Join(", ", shape)}] × {dtype.ToSafetensorsName()} ({expected} bytes)");
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long ReadOffset(JsonElement element, string path, string name)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long value) || value < 0)
            throw new SafetensorsFormatException(path, name, "data_offsets entries must be non-negative integers");
        return value;
    }
}
