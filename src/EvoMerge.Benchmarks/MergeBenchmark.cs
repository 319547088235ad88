using System.Diagnostics;
using System.Globalization;
using EvoMerge.Merging;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Benchmarks;

/// <summary>
/// The merge benchmark behind <c>evomerge bench merge</c>. Without existing models it writes N synthetic fp16
/// Llama-style models of about the requested size into a temporary directory and measures them in a child process,
/// so the peak RSS covers merging only (the generator's heap is not counted). The measurement switches the C heap
/// to keep freed memory (as <c>evomerge merge</c> does), warms up (one plain pass and one linear merge, so the page
/// cache and the reused buffers are warm), then times in interleaved rounds, over the same files and tensor order: a
/// plain pass that reads every input, converts it to float32 and sums it; and linear, task_arithmetic, ties,
/// dare_ties, dare_linear, della and della_linear merges in float32 (density 0.5, della's default epsilon 0.15) (results cast to float16 and discarded); finally linear written to disk once.
/// Throughput is input bytes read per second, best round of each pass; that round's processor time (all threads) is
/// printed beside it, since on a shared machine it moves less with other jobs than the wall time. Peak RSS is then
/// taken per method as <c>evomerge merge</c> would see it: the shared buffers are released, free heap pages returned,
/// VmHWM reset, and one more merge runs with its own buffers.
/// </summary>
public sealed class MergeBenchmark(int modelCount, int rounds, TextWriter output, TextWriter log)
{
    /// <summary>
    /// <c>evomerge bench merge</c>: refuses options it cannot run (models under 10 MB, fewer than 2 models, no timed
    /// round), then measures the models in <paramref name="existingDir"/>, or generates synthetic ones under
    /// <paramref name="workDir"/> and measures them in a fresh <c>bench merge --models-dir</c> process.
    /// </summary>
    public static int Run(int sizeMb, int modelCount, int rounds, string? existingDir, string workDir, TextWriter output, TextWriter log)
    {
        if (sizeMb < 10) throw new ArgumentException($"--size-mb {sizeMb}: must be at least 10");
        if (modelCount < 2) throw new ArgumentException($"--models {modelCount}: must be at least 2 (a base and one fine-tune)");
        if (rounds < 1) throw new ArgumentException($"--repeat {rounds}: must be at least 1");
        var benchmark = new MergeBenchmark(modelCount, rounds, output, log);
        var inv = CultureInfo.InvariantCulture;
        return existingDir is not null ? benchmark.Measure(existingDir) : benchmark.GenerateAndMeasure(sizeMb, workDir,
            synthetic => ThisProgram.With("bench", "merge", "--models-dir", synthetic, "--models", modelCount.ToString(inv), "--repeat", rounds.ToString(inv)));
    }

    private static readonly string[] Methods = ["linear", "task_arithmetic", "ties", "dare_ties", "dare_linear", "della", "della_linear"];

    /// <summary>Writes synthetic models of about <paramref name="sizeMb"/> MB, measures them in a child process, removes them.</summary>
    /// <param name="sizeMb">Approximate size of each model.</param>
    /// <param name="workRoot">Where the temporary models are written.</param>
    /// <param name="measuringProcess">
    /// The child process that runs <see cref="Measure"/> on the models in the directory it is given (with this
    /// benchmark's model count and rounds); its exit code is returned.
    /// </param>
    public int GenerateAndMeasure(int sizeMb, string workRoot, Func<string, ProcessStartInfo> measuringProcess)
    {
        string dir = Path.Combine(workRoot, "evomerge-bench-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var spec = SpecFor(sizeMb);
            for (int i = 0; i < modelCount; i++)
            {
                var clock = Stopwatch.StartNew();
                TinyDecoderWriter.WriteRandom(Path.Combine(dir, $"m{i}"), spec, seed: i + 1);
                log.WriteLine(Invariant($"bench: wrote synthetic model m{i} ({ModelBytes(Path.Combine(dir, $"m{i}")) / 1e6:0} MB) in {clock.Elapsed.TotalSeconds:0.0} s"));
            }
            using var child = Process.Start(measuringProcess(dir)) ?? throw new InvalidOperationException("could not start the measuring process");
            child.WaitForExit();
            return child.ExitCode;
        }
        finally
        {
            try
            {
                Directory.Delete(dir, true);
            }
            catch (IOException e)
            {
                log.WriteLine($"bench: could not remove {dir}: {e.Message}");
            }
        }
    }

    /// <summary>Measures the models <paramref name="dir"/>/m0 … m{N-1} in this process and prints the table.</summary>
    public int Measure(string dir)
    {
        bool heapKept = NativeHeap.KeepFreedMemory();
        long rssBefore = ProcessMemory.ResetPeak();
        var reader = new InputTensorReader();
        var plans = new Dictionary<string, MergePlan>(StringComparer.Ordinal);
        try
        {
            foreach (string method in Methods.Where(MergeMethodRegistry.Default.Contains)) plans[method] = Plan(dir, method);
            var linear = plans["linear"];
            log.WriteLine("bench: warm-up (plain pass and one linear merge)");
            PlainPass(linear, reader);
            Merge(linear, reader, null);

            string[] passes = ["plain read+sum", .. Methods];
            var best = passes.ToDictionary(p => p, _ => (Bytes: 0L, Seconds: double.NaN, CpuSeconds: double.NaN));
            for (int round = 1; round <= rounds; round++)
            {
                foreach (string pass in passes)
                {
                    if (pass != passes[0] && !plans.ContainsKey(pass)) continue;
                    log.WriteLine($"bench: round {round}/{rounds}: {pass}");
                    var cpuBefore = ProcessorTime();
                    var clock = Stopwatch.StartNew();
                    long bytes = pass == passes[0] ? PlainPass(linear, reader) : Merge(plans[pass], reader, null);
                    double seconds = clock.Elapsed.TotalSeconds;
                    double cpuSeconds = (ProcessorTime() - cpuBefore).TotalSeconds;
                    if (double.IsNaN(best[pass].Seconds) || seconds < best[pass].Seconds) best[pass] = (bytes, seconds, cpuSeconds);
                }
            }
            log.WriteLine("bench: linear to disk");
            string outDir = Path.Combine(dir, "bench-out");
            var diskCpuBefore = ProcessorTime();
            var diskClock = Stopwatch.StartNew();
            long diskBytes = Merge(linear, reader, outDir);
            double diskSeconds = diskClock.Elapsed.TotalSeconds;
            double diskCpuSeconds = (ProcessorTime() - diskCpuBefore).TotalSeconds;
            Directory.Delete(outDir, true);

            reader.Dispose();
            var peaks = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (method, plan) in plans)
            {
                log.WriteLine($"bench: peak RSS of {method}");
                NativeHeap.Trim();
                ProcessMemory.ResetPeak();
                Merge(plan, null, null);
                peaks[method] = ProcessMemory.Peak();
            }

            var config = linear.ConfigDonor.Directory.Config;
            var largest = linear.Tensors.MaxBy(t => t.ElementCount)!;
            output.WriteLine(Invariant($"models      {modelCount} x {ModelBytes(Path.Combine(dir, "m0")) / 1e6:0} MB ({config.ModelType}, {config.NumHiddenLayers} layers, hidden {config.HiddenSize}, intermediate {config.IntermediateSize}, vocab {config.VocabSize}, stored {config.TorchDtype}); largest tensor {largest.ElementCount * 4 / 1e6:0.0} MB in float32"));
            output.WriteLine(Invariant($"setup       {torch.get_num_threads()} torch threads on {Environment.ProcessorCount} cores; float32 compute, float16 output; best of {rounds} interleaved round(s); C heap keeps freed memory: {(heapKept ? "yes" : "no")}"));
            output.WriteLine(Invariant($"{"pass",-16} {"input GB",9} {"seconds",8} {"GB/s",6} {"vs plain",9}  {"cpu s",6} {"cpu vs plain",12}  target"));
            double plainRate = best[passes[0]].Bytes / best[passes[0]].Seconds;
            double plainCpuRate = best[passes[0]].Bytes / best[passes[0]].CpuSeconds;
            foreach (string pass in passes)
                output.WriteLine(Row(pass, best[pass].Bytes, best[pass].Seconds, best[pass].CpuSeconds, plainRate, plainCpuRate));
            output.WriteLine(Row("linear -> disk", diskBytes, diskSeconds, diskCpuSeconds, plainRate, plainCpuRate));
            output.WriteLine("cpu s: processor time of the whole process (all threads) during that round; on a shared machine it is less disturbed by other jobs than the wall time");
            output.WriteLine(Invariant($"peak RSS    {string.Join(", ", peaks.Select(p => $"{p.Key} {p.Value / 1e6:0} MB"))} (VmHWM during one merge each with its own buffers, free heap pages returned before; {rssBefore / 1e6:0} MB at process start; target < 1.5 GB for 3 x ~1 GB models)"));
            return 0;
        }
        finally
        {
            reader.Dispose();
            foreach (var plan in plans.Values) plan.Dispose();
        }
    }

    private static string Row(string pass, long bytes, double seconds, double cpuSeconds, double plainRate, double plainCpuRate)
    {
        if (double.IsNaN(seconds)) return $"{pass,-16} (method not registered)";
        double rate = bytes / seconds;
        double cpuRate = bytes / cpuSeconds;
        string target = pass switch { "linear" => ">= 60 %", "ties" or "dare_ties" or "della" => ">= 25 %", _ => "" };
        return Invariant($"{pass,-16} {bytes / 1e9,9:0.00} {seconds,8:0.00} {rate / 1e9,6:0.00} {100 * rate / plainRate,7:0} %  {cpuSeconds,6:0.00} {100 * cpuRate / plainCpuRate,10:0} %  {target}");
    }

    private static TimeSpan ProcessorTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private MergePlan Plan(string dir, string method)
    {
        var models = Enumerable.Range(0, modelCount).Select(i => Path.Combine(dir, $"m{i}")).ToArray();
        string Entry(string model, string parameters) => $"  - model: \"{model}\"\n    parameters: {{{parameters}}}\n";
        string yaml = method == "linear"
            ? "models:\n" + string.Concat(models.Select(m => Entry(m, "weight: 1.0"))) + "merge_method: linear\n"
            : "models:\n" + string.Concat(models.Skip(1).Select(m => Entry(m, method == "task_arithmetic" ? "weight: 0.5" : "weight: 0.5, density: 0.5")))
              + $"merge_method: {method}\nbase_model: \"{models[0]}\"\n";
        yaml += "dtype: float32\nout_dtype: float16\n";
        return MergePlanner.Build(RecipeReader.Parse(yaml, $"bench-{method}.yml", dir));
    }

    private static long Merge(MergePlan plan, InputTensorReader? reader, string? outDir)
    {
        using var executor = new MergeExecutor(plan, new MergeExecutionOptions { Seed = 1 }, reader);
        if (outDir is null)
        {
            executor.Run(new DiscardingSink());
        }
        else
        {
            using var sink = ModelDirectorySink.Create(plan, outDir, allowOverwrite: true);
            executor.Run(sink);
        }
        return executor.BytesRead;
    }

    /// <summary>Reads every input of every planned tensor in plan order, converted to float32, and sums them.</summary>
    private static long PlainPass(MergePlan plan, InputTensorReader reader)
    {
        long before = reader.BytesRead;
        foreach (var tensor in plan.Tensors)
        {
            using var scope = torch.NewDisposeScope();
            var sum = reader.Scratch(-2, torch.ScalarType.Float32, tensor.Shape);
            int slot = 0;
            foreach (var input in tensor.Inputs)
            {
                var x = reader.Read(slot, input.Model.Directory.Weights, input.TensorName, torch.ScalarType.Float32);
                if (slot++ == 0) sum.copy_(x);
                else sum.add_(x, ScalarConstants.One);
            }
        }
        return reader.BytesRead - before;
    }

    /// <summary>A Llama-shaped fp16 spec of about <paramref name="megabytes"/> MB: big dims, layer count from the size.</summary>
    private static TinyDecoderSpec SpecFor(int megabytes)
    {
        bool big = megabytes >= 400;
        int hidden = big ? 2048 : 512, intermediate = big ? 5632 : 1408, heads = big ? 16 : 8, vocab = big ? 8192 : 4096;
        long perLayer = 4L * hidden * hidden + 3L * hidden * intermediate + 2L * hidden;
        long fixedParams = 2L * vocab * hidden + hidden;
        int layers = (int)Math.Max(1, Math.Round((megabytes * 1e6 / 2 - fixedParams) / perLayer));
        return new TinyDecoderSpec
        {
            Layers = layers, HiddenSize = hidden, IntermediateSize = intermediate, Heads = heads, KeyValueHeads = heads,
            VocabSize = vocab, DType = torch.ScalarType.Float16,
        };
    }

    private static long ModelBytes(string dir) => Directory.EnumerateFiles(dir, "*.safetensors").Sum(f => new FileInfo(f).Length);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
