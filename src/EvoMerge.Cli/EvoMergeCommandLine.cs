using System.CommandLine;
using EvoMerge.Merging;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;

namespace EvoMerge.Cli;

/// <summary>Builds the <c>evomerge</c> command tree and turns known failures into one-line errors.</summary>
public static class EvoMergeCommandLine
{
    /// <summary>Parses and runs; returns the process exit code.</summary>
    public static int Run(string[] args)
    {
        var root = new RootCommand("EvoMerge: evolutionary model-merge search over HuggingFace-layout fine-tunes of one base model.");
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        foreach (var (name, description, issue) in Planned)
            root.Subcommands.Add(NotYetAvailable(name, description, issue));
        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Error.WriteLine($"evomerge: error: {e.Message}");
            return 1;
        }
    }

    /// <summary>Failures caused by the input (files, configs, arguments), reported as one line without a stack trace.</summary>
    public static bool IsUserError(Exception e) =>
        e is SafetensorsFormatException or ModelConfigException or FileNotFoundException or DirectoryNotFoundException
            or InvalidDataException or ArgumentException or UnauthorizedAccessException or RecipeException or MergeException;

    private static readonly (string Name, string Description, int Issue)[] Planned =
    [
        ("eval", "Score a model on eval tasks: evomerge eval MODEL_DIR --task TASK.yml.", 4),
        ("tokenize", "Print the token ids of a text: evomerge tokenize MODEL_DIR \"text\".", 4),
        ("search", "Run an evolutionary merge search: evomerge search CONFIG.", 5),
        ("resume", "Continue a search from its last checkpoint: evomerge resume RUN_DIR.", 5),
        ("export", "Write a Pareto-front member as a merged model: evomerge export RUN_DIR --member K --out DIR.", 5),
        ("demo", "Run the bundled demo search over tiny specialist models.", 7),
    ];

    private static Command NotYetAvailable(string name, string description, int issue)
    {
        var command = new Command(name, description + " (not available yet)");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(_ =>
        {
            Console.Error.WriteLine($"evomerge: error: '{name}' is not implemented in this version yet (tracked as issue {issue})");
            return 2;
        });
        return command;
    }
}
