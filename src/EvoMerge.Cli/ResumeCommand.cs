using System.CommandLine;
using EvoMerge.Search.Runs;

namespace EvoMerge.Cli;

/// <summary><c>evomerge resume RUN_DIR [host options]</c>: continues a search from its last complete checkpoint in the hosted orchestrator.</summary>
public static class ResumeCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("RUN_DIR") { Description = "A search's run directory." };
        var host = new SearchHostCommandOptions();
        var cluster = new ClusterCommandOption();
        var command = new Command("resume", "Continue a search from its last checkpoint: evomerge resume RUN_DIR.") { dir };
        host.AddTo(command);
        cluster.AddTo(command);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(dir)!.FullName;
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: run directory not found");
            return cluster.RunHosted(parse,
                (observer, backend) => SearchRun.Resume(path, observer, backend: backend),
                run => $"resuming {path} after generation {run.Generation} ({run.EvaluationsScored} candidates scored so far)",
                host.Overrides(parse),
                SearchCommand.PrintSummary);
        });
        return command;
    }
}
