using System.CommandLine;
using EvoMerge.Search.Runs;

namespace EvoMerge.Cli;

/// <summary><c>evomerge resume RUN_DIR</c>: continues a search from its last complete checkpoint.</summary>
public static class ResumeCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("RUN_DIR") { Description = "A search's run directory." };
        var command = new Command("resume", "Continue a search from its last checkpoint: evomerge resume RUN_DIR.") { dir };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(dir)!.FullName;
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: run directory not found");
            var setup = SearchSetup.Open(path);
            using var run = SearchRun.Resume(path, new LogSearchObserver(setup.Config.Objectives.Select(o => o.Name).ToArray()));
            Console.Error.WriteLine($"evomerge: resuming {path} after generation {run.Generation} ({run.EvaluationsScored} candidates scored so far)");
            run.Run();
            return SearchCommand.PrintSummary(run);
        });
        return command;
    }
}
