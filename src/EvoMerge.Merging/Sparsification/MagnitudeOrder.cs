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
    private readonly float[] _descending;

    private MagnitudeOrder(float[] descending)
    {
        _descending = descending;
    }

    /// <summary>Number of elements of the task vector.</summary>
    public long Count => _descending.LongLength;

    /// <summary>Sorts the float32 magnitudes of a task vector (one full sort, done once).</summary>
    public static MagnitudeOrder FromTaskVector(torch.Tensor taskVector)
    {
        if (taskVector.numel() > Array.MaxLength)
            throw new ArgumentException($"a magnitude order holds at most {Array.MaxLength} elements, the tensor has {taskVector.numel()}", nameof(taskVector));
        using var scope = torch.NewDisposeScope();
        var magnitudes = taskVector.abs().to(torch.ScalarType.Float32).reshape(-1);
        var (sorted, _) = magnitudes.sort(0, descending: true);
        return new MagnitudeOrder(sorted.cpu().data<float>().ToArray());
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
        return _descending[k - 1];
    }

    /// <summary>The k largest magnitudes' cut (what <see cref="MagnitudeSelection.Cut(torch.Tensor, long)"/> returns), 1 ≤ k ≤ <see cref="Count"/>.</summary>
    public MagnitudeCut Cut(long k)
    {
        float threshold = KthLargest(k);
        long above = FirstIndexWhere(v => v <= threshold);
        long belowFrom = FirstIndexWhere(v => v < threshold);
        return new MagnitudeCut(threshold, above, belowFrom - above);
    }

    /// <summary>The first index whose value satisfies a predicate that is monotone over the descending array.</summary>
    private long FirstIndexWhere(Func<float, bool> predicate)
    {
        long low = 0, high = _descending.LongLength;
        while (low < high)
        {
            long middle = low + (high - low) / 2;
            if (predicate(_descending[middle]))
                high = middle;
            else
                low = middle + 1;
        }
        return low;
    }
}
