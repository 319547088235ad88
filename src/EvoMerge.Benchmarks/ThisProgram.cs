using System.Diagnostics;
using System.Reflection;

namespace EvoMerge.Benchmarks;

/// <summary>
/// This program started again as a child process (through <c>dotnet</c> when it runs as a dll): how a benchmark
/// measures in a fresh process or starts local workers, with the arguments its caller gives.
/// </summary>
public static class ThisProgram
{
    /// <summary>A start description of this program with <paramref name="args"/>.</summary>
    public static ProcessStartInfo With(params string[] args)
    {
        string program = Environment.ProcessPath ?? throw new InvalidOperationException("the process path is unknown");
        var start = new ProcessStartInfo(program) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(program) == "dotnet") start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
        foreach (string arg in args) start.ArgumentList.Add(arg);
        return start;
    }
}
