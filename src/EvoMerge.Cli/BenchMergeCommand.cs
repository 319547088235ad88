using System.CommandLine;
using EvoMerge.Tensors;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge bench merge [--size-mb 1000] [--models 3]</c>: merge throughput of linear, task_arithmetic, ties and
/// dare_ties next to a plain read-and-sum pass over the same synthetic fp16 models, and the peak RSS while merging.
/// </summary>
public static class BenchMergeCommand
{
    public static Command Create()
    {
        var size = new Option<int>("--size-mb") { Description = "Approximate size of each synthetic fp16 model in MB.", DefaultValueFactory = _ => 1000 };
        var models = new Option<int>("--models") { Description = "Number of synthetic models (the first is the base of the task-vector methods).", DefaultValueFactory = _ => 3 };
        var work = new Option<DirectoryInfo>("--work-dir") { Description = "Where the temporary models are written (removed afterwards).", DefaultValueFactory = _ => new DirectoryInfo(Path.GetTempPath()) };
        var command = new Command("merge", "Merge throughput (GB/s of input read) per method vs a plain read-and-sum pass, and peak RSS.") { size, models, work };
        command.SetAction(parse =>
        {
            int sizeMb = parse.GetValue(size);
            int count = parse.GetValue(models);
            if (sizeMb < 10) throw new ArgumentException($"--size-mb {sizeMb}: must be at least 10");
            if (count < 2) throw new ArgumentException($"--models {count}: must be at least 2 (a base and one fine-tune)");
            NativeHeap.KeepFreedMemory();
            new MergeBenchmark(sizeMb, count, parse.GetValue(work)!.FullName, Console.Out, Console.Error).Run();
            return 0;
        });
        return command;
    }
}
