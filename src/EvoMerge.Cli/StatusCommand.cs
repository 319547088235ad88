using System.CommandLine;
using EvoMerge.Host;

namespace EvoMerge.Cli;

/// <summary><c>evomerge status RUN_DIR</c>: prints the run's status (the JSON <c>/status</c> serves) from its checkpoint files, whether or not it runs.</summary>
public static class StatusCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("RUN_DIR") { Description = "A search's or a sweep's run directory." };
        var command = new Command("status", "Print a run's status from its checkpoint files: evomerge status RUN_DIR.") { dir };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(dir)!.FullName;
            if (!Directory.Exists(path)) throw new DirectoryNotFoundException($"{path}: run directory not found");
            Console.WriteLine(RunStatusReader.ReadJson(path));
            return 0;
        });
        return command;
    }
}
