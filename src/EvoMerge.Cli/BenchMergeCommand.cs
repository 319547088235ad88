using System.CommandLine;
using EvoMerge.Benchmarks;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge bench merge [--size-mb 1000] [--models 3]</c>: merge throughput of linear, task_arithmetic, ties,
/// dare_ties, dare_linear, della and della_linear next to a plain read-and-sum pass over the same synthetic fp16 models, and the peak RSS while merging.
/// </summary>
public static class BenchMergeCommand
{
    public static Command Create()
    {
        var size = new Option<int>("--size-mb") { Description = "Approximate size of each synthetic fp16 model in MB.", DefaultValueFactory = _ => 1000 };
        var models = new Option<int>("--models") { Description = "Number of synthetic models (the first is the base of the task-vector methods).", DefaultValueFactory = _ => 3 };
        var repeat = new Option<int>("--repeat") { Description = "Timed rounds over all passes, interleaved; the best time of each pass is reported.", DefaultValueFactory = _ => 2 };
        var work = new Option<DirectoryInfo>("--work-dir") { Description = "Where the temporary models are written (removed afterwards).", DefaultValueFactory = _ => new DirectoryInfo(Path.GetTempPath()) };
        var existing = new Option<DirectoryInfo?>("--models-dir") { Description = "Measure existing models DIR/m0 … DIR/m{N-1} (same architecture) in this process instead of generating synthetic ones." };
        var command = new Command("merge", "Merge throughput (GB/s of input read) per method vs a plain read-and-sum pass, and peak RSS.") { size, models, repeat, work, existing };
        command.SetAction(parse => MergeBenchmark.Run(parse.GetValue(size), parse.GetValue(models), parse.GetValue(repeat), parse.GetValue(existing)?.FullName, parse.GetValue(work)!.FullName, Console.Out, Console.Error));
        return command;
    }
}
