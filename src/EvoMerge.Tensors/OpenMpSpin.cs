using System.Runtime.InteropServices;

namespace EvoMerge.Tensors;

/// <summary>
/// How long libtorch's OpenMP threads (GNU libgomp on Linux) spin after a parallel operation before they sleep. By
/// default they spin 300 000 rounds, several milliseconds, after every parallel tensor operation: while a merge runs
/// its own .NET threads between torch operations, the spinning threads take their cores (measured in
/// docs/merge-recipes.md).
/// <see cref="Limit"/> sets <c>GOMP_SPINCOUNT=10000</c> (about 0.2 ms) in the process's native environment before
/// libtorch is loaded, unless the user set <c>GOMP_SPINCOUNT</c> or <c>OMP_WAIT_POLICY</c>.
/// </summary>
public static partial class OpenMpSpin
{
    /// <summary>The spin rounds set when the user set none.</summary>
    public const int Rounds = 10000;

    /// <summary>
    /// Sets <c>GOMP_SPINCOUNT</c> to <see cref="Rounds"/> unless the user set it or <c>OMP_WAIT_POLICY</c> (an empty
    /// value counts as unset); call before
    /// the first torch call (libgomp reads its environment once, when libtorch loads it). Returns whether it set it;
    /// false off Linux, where libtorch does not use libgomp.
    /// </summary>
    public static bool Limit()
    {
        if (!OperatingSystem.IsLinux() || Native("GOMP_SPINCOUNT") is not null || Native("OMP_WAIT_POLICY") is not null) return false;
        try
        {
            return setenv("GOMP_SPINCOUNT", Rounds.ToString(System.Globalization.CultureInfo.InvariantCulture), 1) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>What the OpenMP threads do after a parallel operation, from the native environment, in words.</summary>
    public static string Describe() =>
        Native("OMP_WAIT_POLICY") is { } policy ? $"OMP_WAIT_POLICY={policy}" + (Native("GOMP_SPINCOUNT") is { } c ? $", GOMP_SPINCOUNT={c}" : "")
        : Native("GOMP_SPINCOUNT") is { } count ? $"GOMP_SPINCOUNT={count}"
        : "libgomp's default (300000 rounds)";

    /// <summary>A variable of the native environment (what libgomp reads), or null where it is unset or empty.</summary>
    public static string? Native(string name)
    {
        string? value;
        try
        {
            value = OperatingSystem.IsLinux() ? Marshal.PtrToStringUTF8(getenv(name)) : Environment.GetEnvironmentVariable(name);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            value = Environment.GetEnvironmentVariable(name);
        }
        return string.IsNullOrEmpty(value) ? null : value;
    }

    [LibraryImport("libc.so.6", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc.so.6", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint getenv(string name);
}
