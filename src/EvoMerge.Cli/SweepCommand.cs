using System.CommandLine;

namespace EvoMerge.Cli;

/// <summary><c>evomerge sweep CONFIG | --resume RUN_DIR [host options]</c>: evaluates a grid, the path toward the base and a greedy soup in the hosted orchestrator (<see cref="Host.SweepHost"/>).</summary>
public static class SweepCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("CONFIG") { Description = "Sweep config (a search config with a sweep: block, docs/sweep.md); with --resume, the sweep's run directory." };
        var host = new SearchHostCommandOptions();
        var command = new Command("sweep", "Evaluate fixed merges (grid, path toward the base, greedy soup): evomerge sweep CONFIG.") { target, new Option<bool>("--resume") { Description = "Continue the sweep in run directory CONFIG." } };
        host.AddTo(command);
        command.SetAction(parse => Host.SweepHost.Run(parse.GetValue(target)!, parse.GetValue<bool>("--resume"), host.Overrides(parse), Console.Out.Write, new TerminalProgress()));
        return command;
    }
}
