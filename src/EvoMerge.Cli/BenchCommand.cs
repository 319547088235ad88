using System.CommandLine;

namespace EvoMerge.Cli;

/// <summary><c>evomerge bench …</c>: benchmarks that print measured numbers next to a reference run (never tests).</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Benchmarks: print measured throughput next to a reference measured in the same run.");
        command.Subcommands.Add(BenchReadCommand.Create());
        command.Subcommands.Add(BenchInferenceCommand.Create());
        command.Subcommands.Add(BenchMaterializeCommand.Create());
        command.Subcommands.Add(BenchMergeCommand.Create());
        command.Subcommands.Add(BenchClusterCommand.Create());
        command.Subcommands.Add(BenchSubspaceCommand.Create());
        command.Subcommands.Add(BenchScaleCommand.Create());
        return command;
    }
}
