// Marks one required symbol version of an ELF shared library as weak, so the dynamic loader accepts a system
// library that lacks it. EvoMerge uses it for TorchSharp-cpu 0.107.0's libLibTorchSharp.so, which names
// GLIBCXX_3.4.32 (GCC 13) only for a symbol no relocation uses; Debian 12 ships libstdc++ up to 3.4.30.
// This file is compiled twice: as an MSBuild inline task (Directory.Build.targets) and into the unit tests,
// which define ELF_PATCHER_STANDALONE to leave the MSBuild task class out.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace EvoMerge.Build
{
    /// <summary>What <see cref="ElfVersionNeedPatcher.MarkWeak"/> did to a file.</summary>
    public enum ElfPatchOutcome
    {
        /// <summary>The version entry was found and its weak flag was set.</summary>
        Patched,
        /// <summary>The version entry already carried the weak flag; the file was not touched.</summary>
        AlreadyWeak,
        /// <summary>The file does not require that version; nothing to do.</summary>
        NotRequired,
    }

    /// <summary>Reads and edits the version-needs section (.gnu.version_r) of a 64-bit little-endian ELF file.</summary>
    public static class ElfVersionNeedPatcher
    {
        /// <summary>The GLIBCXX version TorchSharp-cpu 0.107.0 asks for.</summary>
        public const string TorchSharpGlibcxxVersion = "GLIBCXX_3.4.32";

        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlagWeak = 0x2;

        /// <summary>Lists (library, version name, flags) for every entry of the version-needs section.</summary>
        public static IReadOnlyList<(string File, string Version, ushort Flags)> ReadVersionNeeds(string path)
        {
            byte[] elf = File.ReadAllBytes(path);
            var result = new List<(string, string, ushort)>();
            foreach (var entry in EnumerateAux(elf, path))
            {
                result.Add((entry.File, entry.Version, ReadU16(elf, entry.FlagsOffset)));
            }
            return result;
        }

        /// <summary>
        /// Sets the weak flag on the entry naming <paramref name="versionName"/>. The new content is written to a
        /// temporary file that replaces the original by rename (never through a hard link into a package cache);
        /// the original timestamps are kept so incremental builds do not copy the unpatched file again.
        /// </summary>
        public static ElfPatchOutcome MarkWeak(string path, string versionName)
        {
            byte[] elf = File.ReadAllBytes(path);
            bool found = false, changed = false;
            foreach (var entry in EnumerateAux(elf, path))
            {
                if (entry.Version != versionName) continue;
                found = true;
                ushort flags = ReadU16(elf, entry.FlagsOffset);
                if ((flags & VerFlagWeak) != 0) continue;
                flags |= VerFlagWeak;
                elf[entry.FlagsOffset] = (byte)flags;
                elf[entry.FlagsOffset + 1] = (byte)(flags >> 8);
                changed = true;
            }
            if (!found) return ElfPatchOutcome.NotRequired;
            if (!changed) return ElfPatchOutcome.AlreadyWeak;

            // Written for netstandard2.0 too (MSBuild compiles inline tasks against it): File.Copy keeps the file
            // mode, File.Replace renames over the original.
            DateTime written = File.GetLastWriteTimeUtc(path);
            string temp = path + ".evomerge-patch-" + Guid.NewGuid().ToString("N");
            File.Copy(path, temp);
            using (var stream = new FileStream(temp, FileMode.Truncate, FileAccess.Write))
            {
                stream.Write(elf, 0, elf.Length);
                stream.Flush(true);
            }
            File.SetLastWriteTimeUtc(temp, written);
            File.Replace(temp, path, null);
            return ElfPatchOutcome.Patched;
        }

        /// <summary>
        /// True when a libstdc++ on this system defines <paramref name="versionName"/>; false when one was found
        /// without it; null when no libstdc++ was found in the usual places (then nothing should be patched).
        /// </summary>
        public static bool? SystemLibStdCxxHasVersion(string versionName)
        {
            string[] directories =
            {
                "/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                "/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib",
            };
            byte[] needle = Encoding.ASCII.GetBytes(versionName + "\0");
            foreach (string dir in directories)
            {
                string candidate = Path.Combine(dir, "libstdc++.so.6");
                if (!File.Exists(candidate)) continue;
                return Contains(File.ReadAllBytes(candidate), needle);
            }
            return null;
        }

        private readonly struct AuxEntry
        {
            public AuxEntry(string file, string version, int flagsOffset)
            {
                File = file;
                Version = version;
                FlagsOffset = flagsOffset;
            }

            public string File { get; }
            public string Version { get; }
            public int FlagsOffset { get; }
        }

        private static IEnumerable<AuxEntry> EnumerateAux(byte[] elf, string path)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException($"{path}: not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException($"{path}: only 64-bit little-endian ELF files are supported");

            long shoff = (long)ReadU64(elf, 0x28);
            int shentsize = ReadU16(elf, 0x3A);
            int shnum = ReadU16(elf, 0x3C);
            if (shoff <= 0 || shentsize < 64 || shoff + (long)shentsize * shnum > elf.Length)
                throw new InvalidDataException($"{path}: section header table lies outside the file");

            for (int i = 0; i < shnum; i++)
            {
                int sh = checked((int)(shoff + (long)i * shentsize));
                if (ReadU32(elf, sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)ReadU64(elf, sh + 0x18);
                long size = (long)ReadU64(elf, sh + 0x20);
                uint link = ReadU32(elf, sh + 0x28);
                uint count = ReadU32(elf, sh + 0x2C); // sh_info: number of Verneed entries
                if (link >= shnum || offset < 0 || offset + size > elf.Length)
                    throw new InvalidDataException($"{path}: .gnu.version_r lies outside the file");
                int strtab = checked((int)(long)ReadU64(elf, checked((int)(shoff + (long)link * shentsize)) + 0x18));

                long need = offset;
                for (uint n = 0; n < count; n++)
                {
                    int vn = checked((int)need);
                    ushort auxCount = ReadU16(elf, vn + 2);
                    string file = ReadCString(elf, strtab + (int)ReadU32(elf, vn + 4));
                    long aux = need + ReadU32(elf, vn + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        int va = checked((int)aux);
                        string version = ReadCString(elf, strtab + (int)ReadU32(elf, va + 8));
                        yield return new AuxEntry(file, version, va + 4);
                        uint nextAux = ReadU32(elf, va + 12);
                        if (nextAux == 0) break;
                        aux += nextAux;
                    }
                    uint nextNeed = ReadU32(elf, vn + 12);
                    if (nextNeed == 0) break;
                    need += nextNeed;
                }
            }
        }

        private static bool Contains(byte[] haystack, byte[] needle)
        {
            for (int i = Array.IndexOf(haystack, needle[0]); i >= 0 && i <= haystack.Length - needle.Length;
                 i = Array.IndexOf(haystack, needle[0], i + 1))
            {
                int j = 1;
                while (j < needle.Length && haystack[i + j] == needle[j]) j++;
                if (j == needle.Length) return true;
            }
            return false;
        }

        private static ushort ReadU16(byte[] b, int o) => (ushort)(b[o] | (b[o + 1] << 8));

        private static uint ReadU32(byte[] b, int o) => (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));

        private static ulong ReadU64(byte[] b, int o) => ReadU32(b, o) | ((ulong)ReadU32(b, o + 4) << 32);

        private static string ReadCString(byte[] b, int o)
        {
            int end = Array.IndexOf(b, (byte)0, o);
            if (end < 0) throw new InvalidDataException("unterminated string in ELF string table");
            return Encoding.ASCII.GetString(b, o, end - o);
        }
    }

#if !ELF_PATCHER_STANDALONE
    /// <summary>MSBuild task: patches every libLibTorchSharp.so under a directory when the system needs it.</summary>
    public sealed class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        /// <summary>The output directory to search (recursively).</summary>
        [Microsoft.Build.Framework.Required]
        public string Directory { get; set; } = "";

        /// <inheritdoc />
        public override bool Execute()
        {
            if (!System.IO.Directory.Exists(Directory)) return true;
            bool? hasVersion = ElfVersionNeedPatcher.SystemLibStdCxxHasVersion(ElfVersionNeedPatcher.TorchSharpGlibcxxVersion);
            if (hasVersion != false) return true;
            foreach (string file in System.IO.Directory.EnumerateFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories))
            {
                var outcome = ElfVersionNeedPatcher.MarkWeak(file, ElfVersionNeedPatcher.TorchSharpGlibcxxVersion);
                if (outcome == ElfPatchOutcome.Patched)
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.High,
                        $"EvoMerge: marked {ElfVersionNeedPatcher.TorchSharpGlibcxxVersion} weak in {file} (system libstdc++ lacks it)");
            }
            return true;
        }
    }
#endif
}
