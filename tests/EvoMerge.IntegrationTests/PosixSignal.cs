using System.Runtime.InteropServices;

namespace EvoMerge.IntegrationTests;

/// <summary>Sends real POSIX signals to child processes (libc <c>kill</c>).</summary>
public static class PosixSignal
{
    public const int Interrupt = 2;

    public const int Terminate = 15;

    public const int Continue = 18;

    public const int Stop = 19;

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; throws when the call fails.</summary>
    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0) throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Whether process <paramref name="pid"/> ignores <paramref name="signal"/> (the SigIgn mask in /proc).</summary>
    public static bool Ignores(int pid, int signal)
    {
        string line = File.ReadLines($"/proc/{pid}/status").Single(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        ulong mask = Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16);
        return (mask & (1UL << (signal - 1))) != 0;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
