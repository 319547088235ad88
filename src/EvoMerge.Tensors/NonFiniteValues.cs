using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace EvoMerge.Tensors;

/// <summary>
/// Whether a tensor holds NaN or ±∞. A contiguous CPU tensor of float32, float16, bfloat16 or float64 is scanned in
/// place: the largest magnitude bit pattern (sign cleared) is non-finite exactly when it reaches the all-ones exponent,
/// so one vectorised max over the raw bits decides, with no temporary tensor (chunks on torch's thread count). Any
/// other floating tensor takes one <c>isfinite().all()</c> reduction in its own dispose scope. Integer and boolean
/// tensors are always finite.
/// </summary>
public static class NonFiniteValues
{
    private const long ChunkBytes = 1 << 22;

    /// <summary>True when <paramref name="tensor"/> holds at least one NaN or infinity.</summary>
    public static bool In(torch.Tensor tensor)
    {
        if (!tensor.is_floating_point()) return false;
        if (tensor.device_type == DeviceType.CPU && tensor.is_contiguous())
        {
            switch (tensor.dtype)
            {
                case torch.ScalarType.Float32: return Scan<uint>(tensor, 0x7FFFFFFFu, 0x7F800000u);
                case torch.ScalarType.Float16: return Scan<ushort>(tensor, (ushort)0x7FFF, (ushort)0x7C00);
                case torch.ScalarType.BFloat16: return Scan<ushort>(tensor, (ushort)0x7FFF, (ushort)0x7F80);
                case torch.ScalarType.Float64: return Scan<ulong>(tensor, 0x7FFFFFFFFFFFFFFFUL, 0x7FF0000000000000UL);
            }
        }
        using var scope = torch.NewDisposeScope();
        return !torch.isfinite(tensor).all().item<bool>();
    }

    /// <summary>The first of <paramref name="tensors"/> (by name, in order) that holds NaN or infinity; null when all are finite.</summary>
    public static string? FirstIn(IEnumerable<KeyValuePair<string, torch.Tensor>> tensors) =>
        tensors.FirstOrDefault(t => In(t.Value)).Key;

    /// <summary>True when some element's bits, with the sign cleared by <paramref name="magnitude"/>, reach <paramref name="exponent"/>.</summary>
    private static unsafe bool Scan<T>(torch.Tensor tensor, T magnitude, T exponent) where T : unmanaged, IBinaryInteger<T>
    {
        long count = tensor.numel();
        if (count == 0) return false;
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(tensor.bytes));
        long perChunk = ChunkBytes / sizeof(T);
        long chunks = (count + perChunk - 1) / perChunk;
        int found = 0;
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, torch.get_num_threads()) };
        Parallel.For(0L, chunks, options, (chunk, state) =>
        {
            long start = chunk * perChunk;
            if (Volatile.Read(ref found) == 0 && Largest((T*)address + start, Math.Min(perChunk, count - start), magnitude) >= exponent)
            {
                Volatile.Write(ref found, 1);
                state.Stop();
            }
        });
        return found != 0;
    }

    /// <summary>The largest of <paramref name="count"/> values at <paramref name="values"/>, each masked with <paramref name="magnitude"/>.</summary>
    private static unsafe T Largest<T>(T* values, long count, T magnitude) where T : unmanaged, IBinaryInteger<T>
    {
        int width = Vector<T>.Count;
        var mask = new Vector<T>(magnitude);
        var largest0 = Vector<T>.Zero;
        var largest1 = Vector<T>.Zero;
        long j = 0;
        for (; j + 2 * width <= count; j += 2 * width)
        {
            largest0 = Vector.Max(largest0, Vector.Load(values + j) & mask);
            largest1 = Vector.Max(largest1, Vector.Load(values + j + width) & mask);
        }
        var lanes = Vector.Max(largest0, largest1);
        T largest = T.Zero;
        for (int i = 0; i < width; i++) largest = T.Max(largest, lanes[i]);
        for (; j < count; j++) largest = T.Max(largest, values[j] & magnitude);
        return largest;
    }
}
