using System.CommandLine;

namespace EvoMerge.Cli;

/// <summary><c>evomerge bench …</c>: benchmarks that print measured numbers next to a reference run (never tests).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks: print measured throughput next to a reference measured in the same run.");
        Command[] benchmarks = [BenchReadCommand.Create(), BenchInferenceCommand.Create(), BenchMaterializeCommand.Create(), BenchMergeCommand.Create(),
            BenchClusterCommand.Create(), BenchSubspaceCommand.Create(), BenchScaleCommand.Create()];
        foreach (var benchmark in benchmarks) command.Subcommands.Add(benchmark);
        return command;
    }
}
