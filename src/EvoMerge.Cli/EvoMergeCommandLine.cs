using System.CommandLine;
using EvoMerge.Evaluation;
using EvoMerge.Host;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Merging;
using EvoMerge.Merging.Recipes;
using EvoMerge.Search.Configuration;
using EvoMerge.Tensors;

namespace EvoMerge.Cli;

/// <summary>Builds the <c>evomerge</c> command tree; known failures become one-line errors, others crash reports.</summary>
public static class EvoMergeCommandLine
{
    /// <summary>Parses and runs; returns the process exit code.</summary>
    public static int Run(string[] args) => Run(Create(), args);

    /// <summary>The <c>evomerge</c> command tree.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("EvoMerge: evolutionary model-merge search over HuggingFace-layout fine-tunes of one base model.");
        root.Subcommands.Add(InspectCommand.Create());
        root.Subcommands.Add(AnalyzeCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        root.Subcommands.Add(MethodsCommand.Create());
        root.Subcommands.Add(TokenizeCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(SearchCommand.Create());
        root.Subcommands.Add(new EvolveCommandOptions().ConvertCommand());
        root.Subcommands.Add(ResumeCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(StatusCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(WorkerCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        return root;
    }

    /// <summary>Runs <paramref name="args"/> on <paramref name="root"/>: a user error is one line and exit 1, any other exception a crash report and exit 70 (<see cref="CommandFailure"/>).</summary>
    public static int Run(RootCommand root, string[] args) =>
        // Without this, System.CommandLine's own handler prints errors with a stack trace and CommandFailure never sees them.
        CommandFailure.Run(() => root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }), IsUserError, Console.Error);

    /// <summary>Failures caused by the input (files, configs, arguments), reported as one line without a stack trace.</summary>
    public static bool IsUserError(Exception e) =>
        e is SafetensorsFormatException or ModelConfigException or TokenizerFormatException or EvalTaskFormatException
            or SearchConfigException or RecipeException or MergeException or FileNotFoundException or DirectoryNotFoundException
            or InvalidDataException or IOException or ArgumentException or UnauthorizedAccessException;
}
