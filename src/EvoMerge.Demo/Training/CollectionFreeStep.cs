using System.Runtime;

namespace EvoMerge.Demo.Training;

/// <summary>
/// Runs an optimizer step with the garbage collector held off. TorchSharp's <c>AdamW.step</c> converts doubles to
/// Scalars implicitly; a collection during its native call can finalize such a Scalar while libtorch still reads it
/// ("Unknown scalar type", seen in a unit-test process where other tests allocate in parallel). A step allocates
/// little, so a no-GC region with a small budget covers it; the region is ended only if it is still active (an
/// allocation past the budget ends it with a collection, which is then the old behaviour).
/// </summary>
internal static class CollectionFreeStep
{
    private const long Budget = 16L * 1024 * 1024;
    private static readonly object Gate = new();

    /// <summary>Runs <paramref name="step"/> inside a no-GC region (one at a time per process).</summary>
    public static void Run(Action step)
    {
        lock (Gate)
        {
            bool held = GC.TryStartNoGCRegion(Budget);
            try
            {
                step();
            }
            finally
            {
                if (held && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
            }
        }
    }
}
