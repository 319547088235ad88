using System.Runtime.InteropServices;

namespace EvoMerge.Tensors;

/// <summary>
/// Which file-system object a path names: its device and inode numbers (Linux <c>stat</c>). Two paths with the same
/// identity are one file or directory even when no symbolic link joins them (a bind mount, another mount of the same
/// file system), which comparing resolved path strings cannot see.
/// </summary>
public readonly partial record struct FileIdentity(ulong Device, ulong Inode)
{
    /// <summary>The identity of the object at <paramref name="path"/> (links followed); null when it does not exist or where <c>stat</c> is not available (not Linux).</summary>
    public static unsafe FileIdentity? Of(string path)
    {
        if (!OperatingSystem.IsLinux()) return null;
        // struct stat begins with st_dev then st_ino, both 64-bit, on every 64-bit Linux ABI (x86-64, arm64, riscv64).
        var buffer = stackalloc ulong[32];
        try
        {
            return stat(path, buffer) == 0 ? new FileIdentity(buffer[0], buffer[1]) : null;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    [LibraryImport("libc.so.6", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int stat(string path, ulong* buffer);
}
