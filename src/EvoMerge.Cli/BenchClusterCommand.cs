using System.CommandLine;
using System.Globalization;
using EvoMerge.Benchmarks;

namespace EvoMerge.Cli;

/// <summary><c>evomerge bench cluster</c>: the options of <see cref="ClusterBenchmark"/>; its workers are <c>evomerge worker</c> processes.</summary>
public static class BenchClusterCommand
{
    public static Command Create()
    {
        var workers = new Option<int[]>("--workers") { Description = "Worker counts to run (repeatable).", DefaultValueFactory = _ => [1, 2], AllowMultipleArgumentsPerToken = true };
        var generations = new Option<int>("--generations") { Description = "Generations per run (the first is a warm-up).", DefaultValueFactory = _ => 6 };
        var population = new Option<int>("--population") { Description = "NSGA-II population size (candidates per generation).", DefaultValueFactory = _ => 32 };
        var items = new Option<int>("--items") { Description = "Items per tiny task (more items: longer evaluations).", DefaultValueFactory = _ => 1000 };
        var threads = new Option<int>("--threads") { Description = "Torch threads of the reference and of each worker.", DefaultValueFactory = _ => 1 };
        var command = new Command("cluster", "Evaluations per minute and orchestration overhead for 1 and 2 local Orleans workers vs one process.") { workers, generations, population, items, threads };
        command.SetAction(parse => new ClusterBenchmark(Console.Out, (cluster, name) => ThisProgram.With("worker", "--cluster", cluster, "--name", name, "--threads", parse.GetValue(threads).ToString(CultureInfo.InvariantCulture)))
            .Run(parse.GetValue(workers)!, parse.GetValue(generations), parse.GetValue(population), parse.GetValue(items), parse.GetValue(threads)));
        return command;
    }
}
