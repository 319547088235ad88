using System.Diagnostics;
using System.Reflection;

namespace EvoMerge.IntegrationTests;

/// <summary>Runs the built <c>evomerge</c> CLI as a child process and captures its output.</summary>
public static class CliRunner
{
    private static string Metadata(string key) =>
        typeof(CliRunner).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>Path of the built evomerge.dll (same configuration as the tests).</summary>
    public static string CliPath => Path.GetFullPath(Metadata("CliAssemblyPath"));

    /// <summary>The repository root.</summary>
    public static string RepositoryRoot => Path.GetFullPath(Metadata("RepositoryRoot"));

    /// <summary>The NuGet package cache the build used.</summary>
    public static string NuGetPackageRoot => Metadata("NuGetPackageRoot");

    /// <summary>The result of one run.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs <c>dotnet evomerge.dll args…</c> and waits (with a timeout) for it to exit.</summary>
    public static Result Run(TimeSpan timeout, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(CliPath);
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["EVOMERGE_SCORE_CACHE"] = "false"; // tests never share reference scores through ~/.cache
        // Searches of parallel test classes must not race for the default metrics port 9464 (a test may still set its own).
        info.Environment["EVOMERGE_METRICS_URL"] = $"http://127.0.0.1:{LoopbackHttp.FreePort()}";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"evomerge {string.Join(' ', args)} did not exit within {timeout}");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs with a one-minute timeout.</summary>
    public static Result Run(params string[] args) => Run(TimeSpan.FromMinutes(1), args);
}
