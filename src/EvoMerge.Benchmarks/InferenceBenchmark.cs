using System.Diagnostics;
using System.Globalization;
using EvoMerge.Inference;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Benchmarks;

/// <summary>
/// The measurement behind <c>evomerge bench inference</c>: writes random ~20M and ~100M parameter Llama models to a temporary directory,
/// scores one fixed synthetic multiple-choice workload through the batched <see cref="LogLikelihoodScorer"/> (with
/// and without shared-context reuse) and through a plain forward pass per request, and prints tokens/s side by
/// side, their ratio, and the process's peak RSS, to the writer it is given. <c>--model routed</c> adds
/// <see cref="RoutedInferenceBenchmark"/> (static backbone against routed experts on the demo models).
/// </summary>
public sealed class InferenceBenchmark(TextWriter output)
{
    private static readonly (string Name, TinyDecoderSpec Spec)[] Models =
    [
        ("20m", new TinyDecoderSpec
        {
            Layers = 4, HiddenSize = 512, IntermediateSize = 1536, Heads = 8, KeyValueHeads = 4, VocabSize = 8192,
            MaxPositionEmbeddings = 2048,
        }),
        ("100m", new TinyDecoderSpec
        {
            Layers = 12, HiddenSize = 768, IntermediateSize = 2048, Heads = 12, KeyValueHeads = 4, VocabSize = 16384,
            MaxPositionEmbeddings = 2048,
        }),
    ];

    /// <summary>The models that can be selected, smallest first.</summary>
    public static IReadOnlyList<string> ModelNames { get; } = [.. Models.Select(m => m.Name)];

    /// <summary>Measures the <paramref name="selected"/> models (names from <see cref="ModelNames"/>) in the order of <see cref="ModelNames"/>.</summary>
    /// <param name="selected">Which models to run.</param>
    /// <param name="questions">Multiple-choice questions in the workload (4 choices each); for <c>routed</c>, test documents per demo task.</param>
    /// <param name="tokenBudget">Tokens per batch for the batched scorer.</param>
    /// <param name="threads">Torch intra-op threads (0: leave torch's default).</param>
    public void Run(IReadOnlyCollection<string> selected, int questions, int tokenBudget, int threads = 0)
    {
        if (selected.FirstOrDefault(name => !ModelNames.Contains(name) && name != RoutedInferenceBenchmark.ModelName) is { } unknown)
            throw new ArgumentException($"--model '{unknown}': expected one of {string.Join(", ", ModelNames)}, {RoutedInferenceBenchmark.ModelName}");
        if (threads > 0) torch.set_num_threads(threads);
        output.WriteLine($"torch threads {torch.get_num_threads()}, token budget {tokenBudget}, {questions} questions × 4 choices");
        foreach (var (name, spec) in Models.Where(m => selected.Contains(m.Name)))
            Run(name, spec, questions, tokenBudget);
        if (selected.Contains(RoutedInferenceBenchmark.ModelName))
            new RoutedInferenceBenchmark(output).Run(Directory.GetCurrentDirectory(), questions, tokenBudget);
    }

    private void Run(string name, TinyDecoderSpec spec, int questions, int tokenBudget)
    {
        string directory = Directory.CreateTempSubdirectory("evomerge-bench-").FullName;
        try
        {
            TinyDecoderWriter.WriteRandom(directory, spec, seed: 1);
            using var model = ModelDirectory.Open(directory);
            using var decoder = DecoderModel.Load(model);
            var requests = Workload(spec.VocabSize, questions);
            long tokens = requests.Sum(r => r.Context.Count + r.Continuation.Count);
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"model {name}: {model.Weights.ParameterCount / 1e6:F1}M parameters, {requests.Count} requests, {tokens} tokens"));

            var plain = Measure(() => PerRequest(decoder, requests), () => PerRequest(decoder, requests.Take(4).ToList()));
            var batched = Measure(
                () => decoder.LogLikelihood(requests, new LogLikelihoodOptions { TokenBudget = tokenBudget, SharePrefixes = false }),
                () => decoder.LogLikelihood(requests.Take(8).ToList(), new LogLikelihoodOptions { TokenBudget = tokenBudget, SharePrefixes = false }));
            var shared = Measure(
                () => decoder.LogLikelihood(requests, new LogLikelihoodOptions { TokenBudget = tokenBudget, SharePrefixes = true }),
                () => decoder.LogLikelihood(requests.Take(8).ToList(), new LogLikelihoodOptions { TokenBudget = tokenBudget, SharePrefixes = true }));

            output.WriteLine($"  {"method",-34} {"wall s",8} {"cpu s",8} {"tokens/s",9} {"tok/cpu-s",10} {"vs plain",9} {"(cpu)",7} {"max |Δ loglik|",15}");
            Line("plain forward per request", plain, tokens, plain);
            Line("batched scorer", batched, tokens, plain);
            Line("batched scorer + shared contexts", shared, tokens, plain);
            output.WriteLine(ProcessMemory.Peak() is > 0 and var peak ? $"  peak RSS (VmHWM) {peak / (1024 * 1024)} MiB" : "  peak RSS (VmHWM) unavailable");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>
    /// Fixed synthetic multiple choice: per question a context of 48–160 tokens and four continuations of 2–12
    /// tokens (lm-eval's ARC/HellaSwag-like shape).
    /// </summary>
    private static List<LogLikelihoodRequest> Workload(int vocabulary, int questions)
    {
        var random = new Random(20240601);
        int[] Tokens(int n) => Enumerable.Range(0, n).Select(_ => random.Next(vocabulary)).ToArray();
        var requests = new List<LogLikelihoodRequest>();
        for (int q = 0; q < questions; q++)
        {
            int[] context = Tokens(random.Next(48, 161));
            for (int choice = 0; choice < 4; choice++) requests.Add(new LogLikelihoodRequest(context, Tokens(random.Next(2, 13))));
        }
        return requests;
    }

    /// <summary>The unbatched baseline: one forward pass over context + continuation per request.</summary>
    private static IReadOnlyList<LogLikelihoodResult> PerRequest(DecoderModel decoder, IReadOnlyList<LogLikelihoodRequest> requests)
    {
        var results = new List<LogLikelihoodResult>(requests.Count);
        using var inference = torch.inference_mode();
        foreach (var request in requests)
        {
            using var scope = torch.NewDisposeScope();
            long[] ids = request.Context.Concat(request.Continuation.Take(request.Continuation.Count - 1)).Select(t => (long)t).ToArray();
            var logProbabilities = decoder.Logits(torch.tensor(ids, [1, ids.Length]))[0].log_softmax(-1);
            using var first = (request.Context.Count - 1).ToScalar();
            using var end = ids.Length.ToScalar();
            var positions = torch.arange(first, end, ScalarConstants.One, dtype: torch.ScalarType.Int64);
            var targets = torch.tensor(request.Continuation.Select(t => (long)t).ToArray());
            var rows = logProbabilities.index_select(0, positions);
            double sum = rows.gather(1, targets.unsqueeze(1)).sum().item<float>();
            bool greedy = rows.argmax(-1).eq(targets).all().item<bool>();
            results.Add(new LogLikelihoodResult(sum, greedy));
        }
        return results;
    }

    /// <summary>Wall and process CPU seconds of one run after a warm-up (CPU time is steadier on a shared machine).</summary>
    private static Measurement Measure(Func<IReadOnlyList<LogLikelihoodResult>> run, Action warmUp)
    {
        warmUp();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var results = run();
        double wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return new Measurement(wall, (process.TotalProcessorTime - cpuBefore).TotalSeconds, results);
    }

    private void Line(string method, Measurement m, long tokens, Measurement plain)
    {
        double difference = m.Results.Zip(plain.Results).Max(p => Math.Abs(p.First.LogLikelihood - p.Second.LogLikelihood));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {method,-34} {m.WallSeconds,8:F2} {m.CpuSeconds,8:F2} {tokens / m.WallSeconds,9:F0} {tokens / m.CpuSeconds,10:F0} {plain.WallSeconds / m.WallSeconds,8:F2}x {plain.CpuSeconds / m.CpuSeconds,6:F2}x {difference,15:E1}"));
    }

    private sealed record Measurement(double WallSeconds, double CpuSeconds, IReadOnlyList<LogLikelihoodResult> Results);
}
