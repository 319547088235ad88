using System.CommandLine;
using EvoMerge.Search.Runs;

namespace EvoMerge.Cli;

/// <summary><c>evomerge resume RUN_DIR [--device cpu|cuda[:N]] [host options]</c>: continues a search from its last complete checkpoint in the hosted orchestrator.</summary>
public static class ResumeCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("RUN_DIR") { Description = "A search's run directory." };
        var host = new SearchHostCommandOptions();
        var cluster = new ClusterCommandOption();
        var device = new DeviceCommandOption();
        var accept = new Option<bool>("--accept-changes") { Description = "Resume although the run's config, task files, task data or model headers changed since it started (recorded in run.json)." };
        var command = new Command("resume", "Continue a search from its last checkpoint: evomerge resume RUN_DIR.") { dir, accept, device.Option };
        host.AddTo(command);
        cluster.AddTo(command);
        command.SetAction(parse =>
        {
            device.Use(parse);
            string path = parse.GetValue(dir)!.FullName;
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: run directory not found");
            return cluster.RunHosted(parse,
                (observer, backend) => SearchRun.Resume(path, observer, backend: backend, acceptChanges: parse.GetValue(accept)),
                run => $"resuming {path} at generation {run.Generation} ({run.EvaluationsScored} candidates scored so far)",
                host.Overrides(parse),
                SearchCommand.PrintSummary);
        });
        return command;
    }
}
