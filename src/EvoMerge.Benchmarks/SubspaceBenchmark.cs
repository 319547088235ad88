using System.Diagnostics;
using System.Globalization;
using System.Text;
using EvoMerge.Inference;
using EvoMerge.Merging;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Benchmarks;

/// <summary>
/// The measurement behind <c>evomerge bench subspace</c>: a synthetic fp32 Llama-shaped base and fine-tunes (base
/// plus N(0, 0.01²) noise), merged by every method in memory (results discarded) with one torch thread; esm gets its
/// proxy moments from random-token prompts through the base, timed separately and shared by all tasks. Each method
/// merges a first candidate and a later one with other genes through one <see cref="MergeFactorCache"/>, as a search does;
/// times are this process's processor seconds (wall seconds beside), and each cache's statistics follow the table.
/// </summary>
public sealed class SubspaceBenchmark(TextWriter output, TextWriter log)
{
    private const string PlaceholderTask = "proxy-placeholder.yml";

    /// <summary>The factor cache's budget, the search's default (see <c>merge.factor_cache_mb</c>).</summary>
    private const long MergeFactorCacheBudget = 4096L << 20;

    private static readonly string[] Methods = ["task_arithmetic", "ties", "tsv", "iso_c", "iso_cts", "esm"];

    /// <summary>Writes the models, measures every method once, prints the table, removes the models.</summary>
    public int Run(int millions, int fineTunes, int prompts, string workRoot)
    {
        if (millions < 1) throw new ArgumentException($"--params-m {millions}: must be at least 1");
        if (fineTunes < 1) throw new ArgumentException($"--models {fineTunes}: must be at least 1");
        if (prompts is < 1 or > 32) throw new ArgumentException($"--prompts {prompts}: must be 1 to 32");
        torch.set_num_threads(1);
        string dir = Path.Combine(workRoot, $"evomerge-bench-subspace-{Guid.NewGuid():N}");
        try
        {
            var spec = SpecFor(millions);
            var clock = Stopwatch.StartNew();
            TinyDecoderWriter.WriteRandom(Path.Combine(dir, "base"), spec, seed: 1);
            for (int i = 0; i < fineTunes; i++) WriteFineTune(Path.Combine(dir, $"task{i}"), spec, seed: 100 + i);
            log.WriteLine(Invariant($"bench: wrote base and {fineTunes} fine-tunes in {clock.Elapsed.TotalSeconds:0.0} s"));

            File.WriteAllText(Path.Combine(dir, PlaceholderTask), "# esm's proxy moments come from random prompts in the benchmark; this file is never read.\n");
            clock.Restart();
            using var moments = CollectMoments(Path.Combine(dir, "base"), spec, prompts);
            double proxySeconds = clock.Elapsed.TotalSeconds;
            var proxy = new SharedMoments(moments);

            // Each method merges two candidates of different genes through one factor cache, as a search does: the
            // first pays every decomposition, the second only what its genes change.
            // Processor seconds of this process (one torch thread): on a shared machine the fair number; wall seconds beside.
            var seconds = new Dictionary<string, (double First, double Later)>(StringComparer.Ordinal);
            var wall = new Dictionary<string, (double First, double Later)>(StringComparer.Ordinal);
            var caches = new Dictionary<string, MergeFactorCacheStatistics>(StringComparer.Ordinal);
            foreach (string method in Methods)
            {
                log.WriteLine($"bench: {method}");
                using var factors = new MergeFactorCache(MergeFactorCacheBudget);
                (double Cpu, double Wall) Time(bool later)
                {
                    using var plan = MergePlanner.Build(RecipeReader.Parse(Recipe(method, fineTunes, later), "bench.yml", dir));
                    using var executor = new MergeExecutor(plan, new MergeExecutionOptions { ProxyActivations = proxy, Factors = factors });
                    using var process = Process.GetCurrentProcess();
                    var cpuBefore = process.TotalProcessorTime;
                    clock.Restart();
                    executor.Run(new DiscardingSink());
                    process.Refresh();
                    return ((process.TotalProcessorTime - cpuBefore).TotalSeconds, clock.Elapsed.TotalSeconds);
                }
                var first = Time(false);
                var second = Time(true);
                seconds[method] = (first.Cpu, second.Cpu);
                wall[method] = (first.Wall, second.Wall);
                caches[method] = factors.Statistics();
            }

            long parameters = spec.Layers * (4L * spec.HiddenSize * spec.HiddenSize + 3L * spec.HiddenSize * spec.IntermediateSize + 2L * spec.HiddenSize)
                + 2L * spec.VocabSize * spec.HiddenSize + spec.HiddenSize;
            output.WriteLine(Invariant($"models      base + {fineTunes} fine-tunes, {parameters / 1e6:0.0}M parameters each (llama, {spec.Layers} layers, hidden {spec.HiddenSize}, intermediate {spec.IntermediateSize}, vocab {spec.VocabSize}, float32)"));
            output.WriteLine(Invariant($"setup       1 torch thread on {Environment.ProcessorCount} cores (load average {LoadAverage()}); SVDs in float32; embeddings by task arithmetic (include_embeddings false)"));
            output.WriteLine(Invariant($"esm proxy   {prompts} prompts x 64 random tokens through the base: {proxySeconds:0.0} s (once per task in a real merge; not in esm's row)"));
            output.WriteLine("first       the first candidate (factor cache cold); later: a second candidate with other genes (alpha 0.9, density 0.5, common_space_fraction 0.7, scaling_power 1.5), cache warm");
            output.WriteLine(Invariant($"{"method",-16} {"first s",8} {"vs ties",8} {"later s",8} {"vs ties",8}   (processor seconds; wall first, later)"));
            foreach (string method in Methods)
            {
                var (first, later) = seconds[method];
                output.WriteLine(Invariant($"{method,-16} {first,8:0.0} {first / seconds["ties"].First,7:0.0}x {later,8:0.0} {later / seconds["ties"].Later,7:0.0}x   ({wall[method].First:0.0}, {wall[method].Later:0.0})"));
            }
            foreach (string method in Methods)
                output.WriteLine($"{method,-16} after both: {caches[method]}");
            return 0;
        }
        finally
        {
            try
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            }
            catch (IOException e)
            {
                log.WriteLine($"bench: could not remove {dir}: {e.Message}");
            }
        }
    }

    private static void WriteFineTune(string directory, TinyDecoderSpec spec, long seed)
    {
        var weights = TinyDecoderWriter.RandomWeights(spec, seed: 1);
        try
        {
            using var generator = new torch.Generator((ulong)seed);
            using var noise = 0.01.ToScalar();
            for (int i = 0; i < weights.Count; i++)
            {
                using var scope = torch.NewDisposeScope();
                var (_, tensor) = weights[i];
                tensor.add_(torch.randn(tensor.shape, generator: generator).mul_(noise), ScalarConstants.One);
            }
            TinyDecoderWriter.Write(directory, spec, weights);
        }
        finally
        {
            foreach (var (_, tensor) in weights) tensor.Dispose();
        }
    }

    private static LinearInputMoments CollectMoments(string baseDirectory, TinyDecoderSpec spec, int prompts)
    {
        using var directory = ModelDirectory.Open(baseDirectory);
        using var model = DecoderModel.Load(directory);
        var random = new Random(7);
        var ids = Enumerable.Range(0, prompts).Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, 64).Select(_ => random.Next(spec.VocabSize)).ToArray()).ToList();
        return LinearInputMoments.Collect(model, ids);
    }

    /// <summary>The recipe of the first candidate, or of a later one whose genes differ (<paramref name="later"/>).</summary>
    private static string Recipe(string method, int fineTunes, bool later)
    {
        var y = new StringBuilder($"merge_method: {method}\nbase_model: base\ndtype: float32\nmodels:\n");
        for (int i = 0; i < fineTunes; i++)
        {
            y.Append(CultureInfo.InvariantCulture, $"  - model: task{i}\n");
            if (method == "ties") y.Append(later ? "    parameters: {weight: 1.0, density: 0.5}\n" : "    parameters: {weight: 1.0, density: 0.3}\n");
            else if (method == "task_arithmetic") y.Append(later ? "    parameters: {weight: 0.9}\n" : "    parameters: {weight: 1.0}\n");
        }
        if (later && method is "tsv" or "iso_c" or "iso_cts" or "esm")
        {
            y.Append("parameters:\n  alpha: 0.9\n");
            if (method == "iso_cts") y.Append("  common_space_fraction: 0.7\n");
            if (method == "esm") y.Append("  scaling_power: 1.5\n");
        }
        if (method == "esm")
        {
            y.Append("proxy_tasks:\n");
            for (int i = 0; i < fineTunes; i++) y.Append(CultureInfo.InvariantCulture, $"  task{i}: {PlaceholderTask}\n");
        }
        return y.ToString();
    }

    /// <summary>About <paramref name="millions"/> M parameters: hidden 768, intermediate 2048, vocab 8192, layers from the size.</summary>
    private static TinyDecoderSpec SpecFor(int millions)
    {
        const int hidden = 768, intermediate = 2048, vocab = 8192;
        long perLayer = 4L * hidden * hidden + 3L * hidden * intermediate + 2L * hidden;
        long fixedParams = 2L * vocab * hidden + hidden;
        int layers = (int)Math.Max(1, Math.Round((millions * 1e6 - fixedParams) / perLayer));
        return new TinyDecoderSpec
        {
            Layers = layers, HiddenSize = hidden, IntermediateSize = intermediate, Heads = 12, KeyValueHeads = 12,
            VocabSize = vocab, DType = torch.ScalarType.Float32,
        };
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The same moments for every task model (the benchmark times the merge, not the prompts).</summary>
    private sealed class SharedMoments(LinearInputMoments moments) : IProxyActivations
    {
        public torch.Tensor? InputSecondMoment(string modelPath, string baseTensorName) => moments.Of(baseTensorName);
    }
}
