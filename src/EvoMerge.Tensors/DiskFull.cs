namespace EvoMerge.Tensors;

/// <summary>
/// Recognises "no space left on device": on Linux and macOS .NET raises an <see cref="IOException"/> whose HResult is
/// the errno (ENOSPC, 28); on Windows ERROR_DISK_FULL or ERROR_HANDLE_DISK_FULL as an HRESULT.
/// </summary>
public static class DiskFull
{
    /// <summary>ENOSPC: the errno a full file system gives on Linux and macOS.</summary>
    public const int Errno = 28;

    private const int WindowsDiskFull = unchecked((int)0x80070070);
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);

    /// <summary>True when <paramref name="e"/> is an I/O error for a full file system.</summary>
    public static bool Is(Exception e) => e is IOException { HResult: Errno or WindowsDiskFull or WindowsHandleDiskFull };
}
