namespace EvoMerge.Cli;

/// <summary>Resident memory of this process from /proc/self/status (Linux), for benchmark reports.</summary>
public static class ProcessMemory
{
    /// <summary>Peak resident set size (VmHWM) in bytes, or null where /proc is unavailable.</summary>
    public static long? PeakResidentBytes() => ReadKilobytes("VmHWM:");

    /// <summary>Current resident set size (VmRSS) in bytes, or null where /proc is unavailable.</summary>
    public static long? ResidentBytes() => ReadKilobytes("VmRSS:");

    private static long? ReadKilobytes(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        foreach (string line in File.ReadLines(status))
        {
            if (!line.StartsWith(field, StringComparison.Ordinal)) continue;
            string number = line[field.Length..].Trim().Split(' ')[0];
            return long.Parse(number, System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        return null;
    }
}
