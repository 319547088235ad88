using System.CommandLine;
using EvoMerge.Benchmarks;

namespace EvoMerge.Cli;

/// <summary><c>evomerge bench materialize</c>: the options of <see cref="MaterializeBenchmark"/> (defaults: a ~100M-parameter model).</summary>
public static class BenchMaterializeCommand
{
    public static Command Create()
    {
        var layers = new Option<int>("--layers") { Description = "Decoder layers.", DefaultValueFactory = _ => 12 };
        var hidden = new Option<int>("--hidden") { Description = "Hidden size.", DefaultValueFactory = _ => 768 };
        var intermediate = new Option<int>("--intermediate") { Description = "MLP size.", DefaultValueFactory = _ => 2048 };
        var vocab = new Option<int>("--vocab") { Description = "Vocabulary size.", DefaultValueFactory = _ => 16384 };
        var sources = new Option<int>("--sources") { Description = "Source models besides the base.", DefaultValueFactory = _ => 2 };
        var repeats = new Option<int>("--repeats") { Description = "Timed passes (best is reported).", DefaultValueFactory = _ => 3 };
        var methods = new Option<string[]>("--method") { Description = "Merge methods to time (repeatable).", DefaultValueFactory = _ => ["task_arithmetic", "ties"], AllowMultipleArgumentsPerToken = true };
        var dir = new Option<DirectoryInfo?>("--work-dir") { Description = "Where to write the models (default: a temp directory, removed afterwards)." };
        var command = new Command("materialize", "Time to build one candidate in memory vs one plain read-and-add pass over the same bytes.") { layers, hidden, intermediate, vocab, sources, repeats, methods, dir };
        command.SetAction(parse => new MaterializeBenchmark(Console.Out).Run(MaterializeBenchmark.Llama(parse.GetValue(layers), parse.GetValue(hidden), parse.GetValue(intermediate), parse.GetValue(vocab)),
            parse.GetValue(sources), parse.GetValue(repeats), parse.GetValue(methods)!, parse.GetValue(dir)?.FullName));
        return command;
    }
}
