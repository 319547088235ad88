using System.CommandLine;
using EvoMerge.Benchmarks;

namespace EvoMerge.Cli;

/// <summary><c>evomerge bench read</c>: the options of <see cref="ReadBenchmark"/>.</summary>
public static class BenchReadCommand
{
    public static Command Create()
    {
        var sizeMb = new Option<int>("--size-mb") { Description = "Size of the fp16 file to read, in MiB.", DefaultValueFactory = _ => 1024 };
        var repeats = new Option<int>("--repeats") { Description = "Timed passes of each reader (best is reported).", DefaultValueFactory = _ => 3 };
        var dir = new Option<DirectoryInfo?>("--work-dir") { Description = "Where to write the test file (default: a temp directory, removed afterwards)." };
        var command = new Command("read", "Safetensors read throughput vs a plain file copy into memory, same file, same run.") { sizeMb, repeats, dir };
        command.SetAction(parse => new ReadBenchmark(Console.Out).Run(parse.GetValue(sizeMb), parse.GetValue(repeats), parse.GetValue(dir)?.FullName));
        return command;
    }
}
