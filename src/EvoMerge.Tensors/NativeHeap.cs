using System.Runtime.InteropServices;

namespace EvoMerge.Tensors;

/// <summary>
/// Tuning of the C heap that libtorch allocates tensors from. By default glibc serves every allocation above 32 MB
/// with a fresh mmap and returns it on free, so each large temporary tensor pays the first-touch cost of new memory
/// again (about 1.7 s per GiB on the target VMs). <see cref="KeepFreedMemory"/> makes freed memory stay in the heap
/// for the next tensor of similar size: merges then run on warm memory after the first tensors, at the price of the
/// process keeping its peak heap size until it exits.
/// </summary>
public static partial class NativeHeap
{
    private const int TrimThreshold = -1;
    private const int MmapMax = -4;

    /// <summary>
    /// Serves all allocations from the heap (M_MMAP_MAX = 0) and never trims it (M_TRIM_THRESHOLD = max). Returns
    /// false where this is not glibc on Linux, or glibc refused; the process then runs with default settings.
    /// </summary>
    public static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return mallopt(MmapMax, 0) == 1 && mallopt(TrimThreshold, int.MaxValue) == 1;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>Returns the heap's free pages to the system (malloc_trim(0)); false where unavailable.</summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            _ = malloc_trim(0);
            return true;
        }
        catch (DllNotFoundException)
        {
            return false;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int mallopt(int parameter, int value);

    [LibraryImport("libc.so.6", EntryPoint = "malloc_trim")]
    private static partial int malloc_trim(nuint pad);
}
