using System.Diagnostics;
using Xunit;

namespace EvoMerge.Tests.Tensors;

/// <summary>
/// A fact that runs only where this process may bind-mount (root with CAP_SYS_ADMIN, as in CI here): probed once by
/// a real <c>mount --bind</c> of one temporary directory on another; elsewhere reported as skipped, with the reason.
/// </summary>
public sealed class BindMountFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public BindMountFactAttribute()
    {
        if (Unavailable.Value is { } reason) Skip = reason;
    }

    /// <summary>Runs <c>mount</c> or <c>umount</c> with <paramref name="arguments"/>; true when it exits 0.</summary>
    public static bool Run(string tool, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string argument in arguments) start.ArgumentList.Add(argument);
            using var process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "bind mounts are a Linux test";
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.Combine("a"));
        Directory.CreateDirectory(tmp.Combine("b"));
        if (!Run("mount", "--bind", tmp.Combine("a"), tmp.Combine("b")))
            return "this process may not bind-mount (needs root with CAP_SYS_ADMIN); the bind-mount overlap test did not run";
        Run("umount", tmp.Combine("b"));
        return null;
    }
}
