using Xunit;
using EvoMerge.Build;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// The ELF patch that makes TorchSharp-cpu 0.107.0 load on Debian 12: patch a copy of the packaged library and
/// prove, in a child process (the library has a SONAME, so a second load in-process would be a no-op), that the
/// patched copy loads and (where the system lacks GLIBCXX_3.4.32) the original does not.
/// </summary>
public class NativeLibraryPatchTests
{
    private static string PackagedLibrary =>
        Path.Combine(CliRunner.NuGetPackageRoot, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private static string BuiltLibrary => Path.Combine(Path.GetDirectoryName(CliRunner.CliPath)!, "libLibTorchSharp.so");

    /// <summary>Copies the packaged library beside links to libtorch's libraries (its RUNPATH is $ORIGIN).</summary>
    private static string StageCopy(TempDirectory dir)
    {
        string binDir = Path.GetDirectoryName(CliRunner.CliPath)!;
        foreach (string lib in Directory.GetFiles(binDir, "lib*.so*"))
        {
            if (Path.GetFileName(lib) == "libLibTorchSharp.so") continue;
            File.CreateSymbolicLink(dir.Combine(Path.GetFileName(lib)), lib);
        }
        string copy = dir.Combine("libLibTorchSharp.so");
        File.Copy(PackagedLibrary, copy);
        return copy;
    }

    [Fact]
    public void PatchMarksOnlyTheGlibcxxEntryWeakAndIsIdempotent()
    {
        using var dir = new TempDirectory();
        string copy = StageCopy(dir);
        var before = ElfVersionNeedPatcher.ReadVersionNeeds(copy);
        Assert.Contains(before, e => e.Version == "GLIBCXX_3.4.32" && (e.Flags & 2) == 0);
        DateTime stamp = File.GetLastWriteTimeUtc(copy);

        Assert.Equal(ElfPatchOutcome.Patched, ElfVersionNeedPatcher.MarkWeak(copy, "GLIBCXX_3.4.32"));
        var after = ElfVersionNeedPatcher.ReadVersionNeeds(copy);
        Assert.Equal(before.Count, after.Count);
        for (int i = 0; i < before.Count; i++)
        {
            bool target = before[i].Version == "GLIBCXX_3.4.32";
            Assert.Equal(target ? before[i].Flags | 2 : before[i].Flags, after[i].Flags);
        }
        var original = File.ReadAllBytes(PackagedLibrary);
        var patched = File.ReadAllBytes(copy);
        Assert.Equal(1, original.Zip(patched).Count(p => p.First != p.Second));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(copy));

        Assert.Equal(ElfPatchOutcome.AlreadyWeak, ElfVersionNeedPatcher.MarkWeak(copy, "GLIBCXX_3.4.32"));
        Assert.Equal(ElfPatchOutcome.NotRequired, ElfVersionNeedPatcher.MarkWeak(copy, "GLIBCXX_9.9.9"));
    }

    [Fact]
    public void PatchedCopyLoadsInAFreshProcess()
    {
        using var dir = new TempDirectory();
        string copy = StageCopy(dir);
        bool systemHasVersion = ElfVersionNeedPatcher.SystemLibStdCxxHasVersion("GLIBCXX_3.4.32") == true;

        var unpatched = CliRunner.Run("doctor", "--library", copy);
        Assert.Equal(systemHasVersion ? 0 : 1, unpatched.ExitCode);

        ElfVersionNeedPatcher.MarkWeak(copy, "GLIBCXX_3.4.32");
        var patched = CliRunner.Run("doctor", "--library", copy);
        Assert.True(patched.ExitCode == 0, patched.Stderr);
        Assert.Contains("loaded", patched.Stdout);
    }

    [Fact]
    public void BuildOutputCarriesThePatchWhereTheSystemNeedsIt()
    {
        bool systemHasVersion = ElfVersionNeedPatcher.SystemLibStdCxxHasVersion("GLIBCXX_3.4.32") == true;
        var entry = ElfVersionNeedPatcher.ReadVersionNeeds(BuiltLibrary).Single(e => e.Version == "GLIBCXX_3.4.32");
        Assert.Equal(!systemHasVersion, (entry.Flags & 2) != 0);
        var doctor = CliRunner.Run("doctor");
        Assert.True(doctor.ExitCode == 0, doctor.Stderr);
        Assert.Contains("matmul check      ok", doctor.Stdout);
    }
}
