using System.Globalization;

namespace EvoMerge.Benchmarks;

/// <summary>Resident-set figures of this process from /proc/self/status (Linux); 0 where unavailable.</summary>
public static class ProcessMemory
{
    /// <summary>Peak resident set size (VmHWM) in bytes.</summary>
    public static long Peak() => Field("VmHWM");

    /// <summary>Current resident set size (VmRSS) in bytes.</summary>
    public static long Current() => Field("VmRSS");

    /// <summary>Resets the peak to the current RSS (writes 5 to /proc/self/clear_refs) and returns the current RSS.</summary>
    public static long ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return Current();
    }

    private static long Field(string name)
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path)) return 0;
        foreach (string line in File.ReadLines(path))
        {
            if (!line.StartsWith(name + ":", StringComparison.Ordinal)) continue;
            string[] parts = line[(name.Length + 1)..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return long.Parse(parts[0], CultureInfo.InvariantCulture) * 1024;
        }
        return 0;
    }
}
