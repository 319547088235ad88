using System.Diagnostics;
using Xunit;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>
/// A fact that runs only where <c>/usr/bin/python3</c> can import torch (probed once by running it); elsewhere it is
/// reported as skipped, with the reason.
/// </summary>
public sealed class PythonTorchFactAttribute : FactAttribute
{
    /// <summary>The interpreter the decoder reference script is run with.</summary>
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Unavailable = new(Probe);

    public PythonTorchFactAttribute()
    {
        if (Unavailable.Value is { } reason) Skip = reason;
    }

    /// <summary>Runs <see cref="Python"/> with <paramref name="arguments"/>: (exit code, stdout, stderr).</summary>
    public static (int ExitCode, string Output, string Error) Run(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    private static string? Probe()
    {
        if (!File.Exists(Python)) return $"{Python} is not installed; the float64 decoder reference was not regenerated";
        try
        {
            var (exitCode, _, error) = Run(Path.GetTempPath(), "-c", "import torch");
            return exitCode == 0 ? null : $"{Python} cannot import torch ({error.Trim().Split('\n')[^1]}); the float64 decoder reference was not regenerated";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{Python} cannot be started ({e.Message}); the float64 decoder reference was not regenerated";
        }
    }
}
