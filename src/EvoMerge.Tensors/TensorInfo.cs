namespace EvoMerge.Tensors;

/// <summary>One tensor entry of a safetensors header: dtype, shape and byte range within the data section.</summary>
public sealed record TensorInfo(string Name, DType DType, long[] Shape, long DataBegin, long DataEnd)
{
    /// <summary>Number of elements (1 for a scalar with an empty shape).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Shape) n *= d;
            return n;
        }
    }

    /// <summary>Bytes the tensor occupies.</summary>
    public long ByteLength => DataEnd - DataBegin;

    /// <summary>The shape written as "[a, b]".</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
