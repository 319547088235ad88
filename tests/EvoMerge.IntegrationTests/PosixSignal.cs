using System.Runtime.InteropServices;

namespace EvoMerge.IntegrationTests;

/// <summary>Sends real POSIX signals to child processes (libc <c>kill</c>).</summary>
public static class PosixSignal
{
    public const int Interrupt = 2;

    public const int Terminate = 15;

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; throws when the call fails.</summary>
    public static void Send(int pid, int signal)
    {
        if (Kill(pid, signal) != 0) throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
