using System.CommandLine;
using EvoMerge.Plots;

namespace EvoMerge.Cli;

/// <summary><c>evomerge analyze BASE MODEL… [--task T.yml…] [--json FILE] [--plots DIR]</c>: will these models merge? (docs/analyze.md)</summary>
public static class AnalyzeCommand
{
    public static Command Create()
    {
        var dirs = new Argument<DirectoryInfo[]>("BASE MODEL") { Arity = new ArgumentArity(2, 1000), Description = "The base model directory, then the models to merge over it." };
        var (tasks, json, plots) = (new Option<string[]>("--task") { Description = "Eval task YAML (repeatable): score the interpolation paths on it." }, new Option<FileInfo?>("--json") { Description = "Also write the report as JSON to this file." }, new Option<DirectoryInfo?>("--plots") { Description = "Write PNG plots (heatmaps per layer, path curves) into this directory." });
        var command = new Command("analyze", "Will these models merge? Compatibility, task-vector statistics per layer, interpolation paths and a recommended method.") { dirs, tasks, json, plots };
        command.SetAction(parse => AnalysisOutput.Run([.. parse.GetValue(dirs)!.Select(d => d.FullName)], parse.GetValue(tasks) ?? [], parse.GetValue(json)?.FullName, parse.GetValue(plots)?.FullName, Console.Out.Write, Console.Error.WriteLine));
        return command;
    }
}
