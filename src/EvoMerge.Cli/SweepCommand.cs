using System.CommandLine;

namespace EvoMerge.Cli;

/// <summary><c>evomerge sweep CONFIG | --resume RUN_DIR</c>: evaluates a grid, the path toward the base and a greedy soup (<see cref="Plots.PlottedSweep"/>).</summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("CONFIG") { Description = "Sweep config (a search config with a sweep: block, docs/sweep.md); with --resume, the sweep's run directory." };
        var command = new Command("sweep", "Evaluate fixed merges (grid, path toward the base, greedy soup): evomerge sweep CONFIG.") { target, new Option<bool>("--resume") { Description = "Continue the sweep in run directory CONFIG." } };
        command.SetAction(parse => Console.Out.Write(Plots.PlottedSweep.Run(parse.GetValue(target)!, parse.GetValue<bool>("--resume"), Console.Error.WriteLine)));
        return command;
    }
}
