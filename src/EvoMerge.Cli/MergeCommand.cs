using System.CommandLine;
using System.Globalization;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Search.Routed;
using EvoMerge.Tensors;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge merge RECIPE.yml OUT_DIR [--seed N] [--max-shard-size 5GB] [--dry-run] [--allow-overwrite] [--allow-nonfinite] [--strict] [--device cpu|cuda[:N]]</c>:
/// runs a mergekit-compatible recipe tensor by tensor into a model directory (a routed recipe: its backbone, then the experts).
/// </summary>
public static class MergeCommand
{
    public static Command Create()
    {
        var recipe = new Argument<FileInfo>("RECIPE") { Description = "A mergekit-style YAML recipe; relative model paths resolve against its directory." };
        var output = new Argument<DirectoryInfo>("OUT_DIR") { Description = "Where the merged model is written." };
        var seed = new Option<ulong>("--seed") { Description = "Seed for methods that draw random numbers (each tensor's stream depends on it and the tensor name).", DefaultValueFactory = _ => 0 };
        var maxShard = new Option<string>("--max-shard-size") { Description = "Largest safetensors shard, e.g. 5GB, 500MB, 2GiB.", DefaultValueFactory = _ => "5GB" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate and print the resolved method and parameters per tensor group and the estimated peak memory; write nothing." };
        var overwrite = new Option<bool>("--allow-overwrite") { Description = "Replace the model files of a non-empty OUT_DIR (never an input of the recipe)." };
        var nonFinite = new Option<bool>("--allow-nonfinite") { Description = "Merge inputs holding NaN or infinite values (a warning per tensor) instead of refusing them." };
        var strict = new Option<bool>("--strict") { Description = "Make recipe and architecture warnings (ignored parameters, unusual values, unknown model_type) errors." };
        var device = new DeviceCommandOption();
        var every = new Option<int>("--progress-every") { Description = "Print a progress line to stderr every N tensors.", DefaultValueFactory = _ => 25 };
        var command = new Command("merge", "Run a mergekit-compatible recipe: evomerge merge RECIPE.yml OUT_DIR.")
        {
            recipe, output, seed, maxShard, dryRun, overwrite, every, nonFinite, strict, device.Option,
        };
        command.SetAction((parse, cancellation) =>
        {
            device.Use(parse);
            NativeHeap.KeepFreedMemory();
            long maxShardBytes = ByteSize.Parse(parse.GetValue(maxShard)!, "--max-shard-size");
            int progressEvery = parse.GetValue(every);
            if (progressEvery <= 0) throw new ArgumentException($"--progress-every {progressEvery}: must be positive");

            using var merge = RecipeMergeRun.Open(parse.GetValue(recipe)!.FullName);
            RecipeWarning.Report(merge.Plan.Warnings, parse.GetValue(strict), warning => Console.Error.WriteLine($"evomerge: warning: {warning}"));
            merge.Plan.ReportArchitectureWarnings(parse.GetValue(strict), warning => Console.Error.WriteLine($"evomerge: warning: {warning}"));
            if (parse.GetValue(dryRun))
            {
                Console.Out.Write(MergePlanSummary.Describe(merge.Plan));
                return Task.FromResult(0);
            }

            string outDir = parse.GetValue(output)!.FullName;
            using var sink = ModelDirectorySink.Create(merge.Plan, outDir, maxShardBytes, parse.GetValue(overwrite));
            var options = new MergeExecutionOptions
            {
                Seed = parse.GetValue(seed),
                Cancellation = cancellation,
                AllowNonFiniteInputs = parse.GetValue(nonFinite),
                ProxyActivations = merge.Proxy,
                Warn = warning => Console.Error.WriteLine($"evomerge: warning: {warning}"),
                Progress = p =>
                {
                    if (p.TensorsDone % progressEvery == 0 || p.TensorsDone == p.TensorsTotal) Console.Error.WriteLine(p.Describe());
                },
            };
            using var executor = new MergeExecutor(merge.Plan, options);
            executor.Run(sink);
            merge.Complete(outDir, maxShardBytes);
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"merged {merge.Plan.Tensors.Count} tensors ({merge.Plan.LayerCount} layers, {merge.Routed?.Block.Describe(merge.Plan.Method.Name) ?? merge.Plan.Method.Name}) into {outDir}: {sink.ShardNames.Count} shard(s), {merge.Plan.OutputSpecs.Sum(s => s.ByteLength) / 1e6:0.0} MB"));
            return Task.FromResult(0);
        });
        return command;
    }
}
