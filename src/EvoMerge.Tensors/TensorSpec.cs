namespace EvoMerge.Tensors;

/// <summary>Name, dtype and shape of a tensor that is going to be written.</summary>
public sealed record TensorSpec(string Name, DType DType, long[] Shape)
{
    /// <summary>Bytes the tensor will occupy.</summary>
    public long ByteLength => Shape.Aggregate(1L, (a, b) => a * b) * DType.SizeOf();
}
