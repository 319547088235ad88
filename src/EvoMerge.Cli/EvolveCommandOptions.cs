using System.CommandLine;
using EvoMerge.Search.Configuration;

namespace EvoMerge.Cli;

/// <summary>mergekit-evolve configs on the command line: the options <c>search</c> and <c>convert</c> share (<see cref="EvolveImportOptions"/>), and <c>evomerge convert EVOLVE.yml OUT.yml [--task-map NAME=FILE.yml …] [--tasks-dir DIR] [--max-fevals N]</c>.</summary>
public sealed class EvolveCommandOptions
{
    public Option<string[]> TaskMap { get; } = new("--task-map") { Description = "NAME=FILE.yml: the EvoMerge eval task of a mergekit-evolve task (repeat per task)." };
    public Option<DirectoryInfo?> TasksDir { get; } = new("--tasks-dir") { Description = "Directory where a mergekit-evolve task NAME is NAME.yml." };
    public Option<int?> MaxFevals { get; } = new("--max-fevals") { Description = "Candidates a mergekit-evolve config scores (default 100)." };

    public EvolveImportOptions Values(ParseResult parse) => EvolveImportOptions.FromArguments(parse.GetValue(TaskMap) ?? [], parse.GetValue(TasksDir)?.FullName, parse.GetValue(MaxFevals));

    public Command ConvertCommand()
    {
        var input = new Argument<FileInfo>("EVOLVE") { Description = "mergekit-evolve config (YAML)." };
        var output = new Argument<FileInfo>("OUT") { Description = "EvoMerge search config to write (atomically; an existing file is refused)." };
        var command = new Command("convert", "Write a mergekit-evolve config as an EvoMerge search config.") { input, output, TaskMap, TasksDir, MaxFevals };
        command.SetAction(parse => MergekitEvolveImport.WriteConverted(parse.GetValue(input)!.FullName, parse.GetValue(output)!.FullName, Values(parse), Console.Error));
        return command;
    }
}
