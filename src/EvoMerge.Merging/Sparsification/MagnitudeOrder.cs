using System.Runtime.InteropServices;
using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// The magnitudes of one task vector grouped once by their top bits, so the exact selection cut for any density costs a
/// binary search plus a count over one group instead of a selection pass over the tensor. The search builds one per
/// source tensor and passes it as <see cref="MergeInput.Magnitudes"/>; selection results are identical with or without
/// it, provided it was built from the same task vector the method computes (model − base in the compute dtype, see
/// <see cref="FromModel"/>). Built by one counting pass and one scatter of the low 16 bits of each magnitude key into
/// its group of equal high 16 bits (half a radix sort: a group is sorted only when a cut falls in it, and then by a
/// count); holds <c>2·numel</c> bytes plus 4 bytes per group between the largest and the smallest magnitude of managed
/// memory and no native resources; immutable and safe to share between threads.
/// </summary>
public sealed class MagnitudeOrder
{
    /// <summary>Low 16 bits of every magnitude key, grouped by high 16 bits, largest group first.</summary>
    private readonly ushort[] _low;

    /// <summary>Where group <c>_highest − j</c> starts in <see cref="_low"/>, for j = 0 … span; the last entry is numel.</summary>
    private readonly int[] _starts;

    /// <summary>The high 16 bits of the largest magnitude key.</summary>
    private readonly uint _highest;

    private MagnitudeOrder(ushort[] low, int[] starts, uint highest)
    {
        _low = low;
        _starts = starts;
        _highest = highest;
    }

    /// <summary>Number of elements of the task vector.</summary>
    public long Count => _low.LongLength;

    /// <summary>Managed bytes held (what a cache charges for it).</summary>
    public long Bytes => 2L * _low.LongLength + 4L * _starts.LongLength;

    /// <summary>
    /// Groups the float32 magnitudes of a task vector (done once) by the high 16 bits of their bit patterns, which order
    /// like the magnitudes (NaN above infinity, as torch's descending sort puts it).
    /// </summary>
    public static MagnitudeOrder FromTaskVector(torch.Tensor taskVector)
    {
        if (taskVector.numel() > Array.MaxLength)
            throw new ArgumentException($"a magnitude order holds at most {Array.MaxLength} elements, the tensor has {taskVector.numel()}", nameof(taskVector));
        using var scope = torch.NewDisposeScope();
        var flat = taskVector.to(torch.ScalarType.Float32).cpu().contiguous().reshape(-1);
        var bits = MemoryMarshal.Cast<byte, uint>(flat.bytes);
        var low = new ushort[bits.Length];
        if (bits.Length == 0) return new MagnitudeOrder(low, [0], 0);

        var counts = new int[1 << 15];
        foreach (uint word in bits)
            counts[(word & 0x7FFFFFFF) >> 16]++;
        int highest = counts.Length - 1, lowest = 0;
        while (counts[highest] == 0) highest--;
        while (counts[lowest] == 0) lowest++;
        var starts = new int[highest - lowest + 2];
        for (int j = 0, offset = 0; j < starts.Length - 1; j++)
        {
            starts[j] = offset;
            offset += counts[highest - j];
        }
        starts[^1] = bits.Length;

        var cursor = new int[starts.Length - 1];
        Array.Copy(starts, cursor, cursor.Length);
        foreach (uint word in bits)
        {
            uint key = word & 0x7FFFFFFF;
            low[cursor[highest - (int)(key >> 16)]++] = (ushort)key;
        }
        return new MagnitudeOrder(low, starts, (uint)highest);
    }

    /// <summary>The order of <c>model − base</c>, computed exactly as the task-arithmetic methods compute it.</summary>
    public static MagnitudeOrder FromModel(torch.Tensor model, torch.Tensor baseTensor)
    {
        using var scope = torch.NewDisposeScope();
        return FromTaskVector(model - baseTensor);
    }

    /// <summary>The k-th largest magnitude, 1 ≤ k ≤ <see cref="Count"/>.</summary>
    public float KthLargest(long k) => Cut(k).Threshold;

    /// <summary>The k largest magnitudes' cut (what <see cref="MagnitudeSelection.Cut(torch.Tensor, long)"/> returns), 1 ≤ k ≤ <see cref="Count"/>.</summary>
    public MagnitudeCut Cut(long k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, Count);
        int group = GroupOfRank(k);
        int start = _starts[group], end = _starts[group + 1];
        var counts = new int[1 << 16];
        for (int i = start; i < end; i++)
            counts[_low[i]]++;
        long above = start;
        int value = counts.Length - 1;
        while (above + counts[value] < k)
            above += counts[value--];
        uint threshold = ((_highest - (uint)group) << 16) | (uint)value;
        return new MagnitudeCut(BitConverter.UInt32BitsToSingle(threshold), above, counts[value]);
    }

    /// <summary>The group holding the k-th largest magnitude: the last j with <c>_starts[j] &lt; k</c>.</summary>
    private int GroupOfRank(long k)
    {
        int low = 0, high = _starts.Length - 2;
        while (low < high)
        {
            int middle = low + (high - low + 1) / 2;
            if (_starts[middle] < k)
                low = middle;
            else
                high = middle - 1;
        }
        return low;
    }
}
