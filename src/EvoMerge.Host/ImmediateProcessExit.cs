using System.Runtime.InteropServices;

namespace EvoMerge.Host;

/// <summary>
/// Ends the process at once with an exit code, through libc <c>_exit</c>: no managed or native teardown runs (an
/// orderly exit while another thread is inside libtorch can crash, and after an unhandled exception the runtime would
/// abort instead).
/// </summary>
internal static class ImmediateProcessExit
{
    /// <summary>Exits with <paramref name="code"/>; does not return.</summary>
    public static void Exit(int code) => ImmediateExit(code);

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ImmediateExit(int status);
}
