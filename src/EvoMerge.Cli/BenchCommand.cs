using System.CommandLine;

namespace EvoMerge.Cli;

/// <summary><c>evomerge bench …</c>: commands that measure and print performance numbers (they are not tests).</summary>
public static class BenchCommand
{
    public static Command Create() => new("bench", "Measure and print performance numbers.")
    {
        BenchMergeCommand.Create(),
    };
}
