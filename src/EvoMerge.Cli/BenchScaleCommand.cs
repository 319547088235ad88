using System.CommandLine;
using EvoMerge.Benchmarks;

namespace EvoMerge.Cli;

/// <summary><c>evomerge bench scale [--sizes 0.1,0.3,1] [--questions 8] [--work-dir DIR]</c>: the options of <see cref="ScaleBenchmark"/>.</summary>
public static class BenchScaleCommand
{
    public static Command Create()
    {
        var sizes = new Option<string>("--sizes") { Description = "Model sizes in billions of parameters, comma-separated, of 0.1,0.3,1.", DefaultValueFactory = _ => "0.1,0.3,1" };
        var questions = new Option<int>("--questions") { Description = "Multiple-choice questions scored per size (4 choices each).", DefaultValueFactory = _ => 8 };
        var dir = new Option<DirectoryInfo?>("--work-dir") { Description = "Where to write the models (kept and reused; default: a temp directory, removed afterwards)." };
        var command = new Command("scale", "Per model size (0.1B, 0.3B, 1B): materialise, score and peak memory next to a plain read+add and a plain forward.") { sizes, questions, dir };
        command.SetAction(parse => new ScaleBenchmark(Console.Out, Console.Error).Run(parse.GetValue(sizes)!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), parse.GetValue(questions), parse.GetValue(dir)?.FullName));
        return command;
    }
}
