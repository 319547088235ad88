using System.Runtime.InteropServices;
using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// The magnitudes of one task vector sorted once, largest first, so the exact selection cut for any density costs
/// O(log n) instead of a selection pass over the tensor. The search builds one per source tensor and passes it as
/// <see cref="MergeInput.Magnitudes"/>; selection results are identical with or without it, provided it was built from
/// the same task vector the method computes (model − base in the compute dtype, see <see cref="FromModel"/>).
/// Holds <c>4·numel</c> bytes of managed memory and no native resources; immutable and safe to share between threads.
/// </summary>
public sealed class MagnitudeOrder
{
    private readonly uint[] _descending;

    private MagnitudeOrder(uint[] descending)
    {
        _descending = descending;
    }

    /// <summary>Number of elements of the task vector.</summary>
    public long Count => _descending.LongLength;

    /// <summary>
    /// Sorts the float32 magnitudes of a task vector (done once): a two-digit radix sort of their bit patterns, which
    /// order like the magnitudes (NaN above infinity, as torch's descending sort puts it).
    /// </summary>
    public static MagnitudeOrder FromTaskVector(torch.Tensor taskVector)
    {
        if (taskVector.numel() > Array.MaxLength)
            throw new ArgumentException($"a magnitude order holds at most {Array.MaxLength} elements, the tensor has {taskVector.numel()}", nameof(taskVector));
        var keys = new uint[taskVector.numel()];
        using (var scope = torch.NewDisposeScope())
        {
            var flat = taskVector.to(torch.ScalarType.Float32).cpu().contiguous().reshape(-1);
            var bits = MemoryMarshal.Cast<byte, uint>(flat.bytes);
            for (int i = 0; i < keys.Length; i++)
                keys[i] = bits[i] & 0x7FFFFFFF;
        }
        return new MagnitudeOrder(SortDescending(keys));
    }

    /// <summary>The order of <c>model − base</c>, computed exactly as the task-arithmetic methods compute it.</summary>
    public static MagnitudeOrder FromModel(torch.Tensor model, torch.Tensor baseTensor)
    {
        using var scope = torch.NewDisposeScope();
        return FromTaskVector(model - baseTensor);
    }

    /// <summary>The k-th largest magnitude, 1 ≤ k ≤ <see cref="Count"/>.</summary>
    public float KthLargest(long k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, Count);
        return BitConverter.UInt32BitsToSingle(_descending[k - 1]);
    }

    /// <summary>The k largest magnitudes' cut (what <see cref="MagnitudeSelection.Cut(torch.Tensor, long)"/> returns), 1 ≤ k ≤ <see cref="Count"/>.</summary>
    public MagnitudeCut Cut(long k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, Count);
        uint threshold = _descending[k - 1];
        long above = FirstIndexAtOrBelow(threshold);
        long belowFrom = threshold == 0 ? _descending.LongLength : FirstIndexAtOrBelow(threshold - 1);
        return new MagnitudeCut(BitConverter.UInt32BitsToSingle(threshold), above, belowFrom - above);
    }

    /// <summary>The first index whose key is at most <paramref name="key"/> (keys descend).</summary>
    private long FirstIndexAtOrBelow(uint key)
    {
        long low = 0, high = _descending.LongLength;
        while (low < high)
        {
            long middle = low + (high - low) / 2;
            if (_descending[middle] <= key)
                high = middle;
            else
                low = middle + 1;
        }
        return low;
    }

    /// <summary>LSD radix sort, two 16-bit digits, largest first; returns the sorted array (one of the two buffers).</summary>
    private static uint[] SortDescending(uint[] keys)
    {
        var low = new long[1 << 16];
        var high = new long[1 << 16];
        foreach (uint key in keys)
        {
            low[0xFFFF - (key & 0xFFFF)]++;
            high[0xFFFF - (key >> 16)]++;
        }
        var other = new uint[keys.Length];
        Scatter(keys, other, low, 0);
        Scatter(other, keys, high, 16);
        return keys;
    }

    private static void Scatter(uint[] from, uint[] to, long[] counts, int shift)
    {
        long offset = 0;
        for (int digit = 0; digit < counts.Length; digit++)
        {
            long count = counts[digit];
            counts[digit] = offset;
            offset += count;
        }
        foreach (uint key in from)
            to[counts[0xFFFF - ((key >> shift) & 0xFFFF)]++] = key;
    }
}
