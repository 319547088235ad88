using System.Diagnostics;
using System.Globalization;
using EvoMerge.Inference;
using EvoMerge.Optimization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Materialization;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Benchmarks;

/// <summary>
/// The measurement behind <c>evomerge bench scale</c>: per model size (about 0.1B, 0.3B and 1B parameters,
/// Llama-shaped, bf16 on disk) a base and three sources (base plus N(0, 0.01²) noise) are written, then in one
/// process, smallest size first: a plain pass that reads base + sources from safetensors into float32 and adds them;
/// the search's own <see cref="CandidateMaterializer"/> (float32, the search's default dtype) building task_arithmetic
/// and ties candidates (first and second candidate of each timed); the candidate scored by the search's
/// <see cref="LogLikelihoodScorer"/> on a fixed multiple-choice workload next to a plain forward pass per request
/// over the same tokens; and the peak resident memory of each phase. Steps are timed in processor seconds (all
/// threads; steadier than wall time on a shared machine) with wall seconds beside them. One row per size, with the
/// ratios side by side.
/// </summary>
public sealed class ScaleBenchmark(TextWriter output, TextWriter log)
{
    private const int SourceCount = 3;

    private static readonly (string Name, TinyDecoderSpec Spec)[] Sizes =
    [
        ("0.1", Llama(layers: 12, hidden: 768, intermediate: 2048, heads: 12, keyValueHeads: 4, vocab: 16384)),
        ("0.3", Llama(layers: 20, hidden: 1024, intermediate: 2816, heads: 16, keyValueHeads: 8, vocab: 32000)),
        ("1", Llama(layers: 22, hidden: 2048, intermediate: 5632, heads: 32, keyValueHeads: 4, vocab: 32000)),
    ];

    /// <summary>The sizes that can be selected (billions of parameters, as <c>--sizes</c> names them), smallest first.</summary>
    public static IReadOnlyList<string> SizeNames { get; } = [.. Sizes.Select(s => s.Name)];

    /// <summary>Checks the options before anything is written: known sizes, at least one question.</summary>
    public static void Validate(IReadOnlyCollection<string> sizes, int questions)
    {
        if (sizes.Count == 0) throw new ArgumentException("--sizes: name at least one size");
        if (sizes.FirstOrDefault(s => !SizeNames.Contains(s)) is { } unknown)
            throw new ArgumentException($"--sizes '{unknown}': expected some of {string.Join(",", SizeNames)}");
        if (questions < 1) throw new ArgumentException($"--questions {questions}: must be at least 1");
    }

    /// <summary>Measures the <paramref name="sizes"/> (names from <see cref="SizeNames"/>) smallest first and prints one table.</summary>
    /// <param name="sizes">Which sizes to run.</param>
    /// <param name="questions">Multiple-choice questions in the scoring workload (4 choices each).</param>
    /// <param name="workDir">Where the models are written (kept when it already holds them); null: a temporary directory, removed afterwards.</param>
    public void Run(IReadOnlyCollection<string> sizes, int questions, string? workDir)
    {
        Validate(sizes, questions);
        string root = workDir ?? Path.Combine(Path.GetTempPath(), "evomerge-bench-scale-" + Environment.ProcessId);
        var rows = new List<Row>();
        try
        {
            foreach (var (name, spec) in Sizes.Where(s => sizes.Contains(s.Name)))
                rows.Add(Measure(name, spec, Path.Combine(root, name), questions));
        }
        finally
        {
            if (workDir is null && Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
        Print(rows, questions);
    }

    private static TinyDecoderSpec Llama(int layers, int hidden, int intermediate, int heads, int keyValueHeads, int vocab) => new()
    {
        Layers = layers, HiddenSize = hidden, IntermediateSize = intermediate, Heads = heads, KeyValueHeads = keyValueHeads,
        VocabSize = vocab, MaxPositionEmbeddings = 2048, DType = torch.ScalarType.BFloat16,
    };

    private Row Measure(string name, TinyDecoderSpec spec, string dir, int questions)
    {
        var clock = Stopwatch.StartNew();
        var (basePath, sourcePaths) = SyntheticSources.Write(dir, spec, SourceCount);
        log.WriteLine(Invariant($"bench scale {name}B: models ready in {clock.Elapsed.TotalSeconds:0.0} s"));
        var row = new Row { Name = name, Spec = spec };
        using (var model = ModelDirectory.Open(basePath))
        {
            row.Parameters = model.Weights.ParameterCount;
            row.DiskBytes = model.Weights.TotalBytes * (1 + SourceCount);
        }

        long start = ProcessMemory.ResetPeak();
        row.Plain = Time(() => PlainReadAdd(basePath, sourcePaths));
        row.PlainPeak = ProcessMemory.Peak() - start;
        log.WriteLine(Invariant($"bench scale {name}B: plain read+add {row.Plain}"));

        start = ProcessMemory.ResetPeak();
        CandidateMaterializer? created = null;
        row.Setup = Time(() => created = new CandidateMaterializer(basePath, sourcePaths, torch.ScalarType.Float32));
        using var materializer = created!;
        (_, row.TaskArithmetic) = TwoCandidates(materializer, "task_arithmetic", spec, basePath, sourcePaths);
        (row.TiesFirst, row.Ties) = TwoCandidates(materializer, "ties", spec, basePath, sourcePaths);
        log.WriteLine(Invariant($"bench scale {name}B: task_arithmetic {row.TaskArithmetic}, ties {row.Ties} (first {row.TiesFirst})"));

        var requests = Workload(spec.VocabSize, questions);
        row.Tokens = requests.Sum(r => r.Context.Count + r.Continuation.Count);
        materializer.Model.LogLikelihood([.. requests.Take(4)]);
        row.Scorer = Time(() => materializer.Model.LogLikelihood(requests));
        row.Forward = Time(() => PlainForward(materializer.Model, requests));
        row.CandidatePeak = ProcessMemory.Peak() - start;
        row.AbsolutePeak = ProcessMemory.Peak();
        log.WriteLine(Invariant($"bench scale {name}B: scorer {row.Scorer}, plain forward {row.Forward} for {row.Tokens} tokens"));
        return row;
    }

    private void Print(List<Row> rows, int questions)
    {
        output.WriteLine(Invariant($"bench scale: llama-shaped, bf16 on disk, base + {SourceCount} sources; merge and scoring in float32 (the search's default dtype); torch threads {torch.get_num_threads()} on {Environment.ProcessorCount} cores; load average {LoadAverage()}; page cache warm"));
        output.WriteLine(Invariant($"scoring workload: {questions} questions x 4 choices (contexts 48-160 tokens, continuations 2-12), the search's scorer (shared prefixes, token budget 4096) vs one plain forward per request"));
        foreach (var r in rows)
            output.WriteLine(Invariant($"  {r.Name}B: {r.Parameters / 1e6:0.0}M parameters ({r.Spec.Layers} layers, hidden {r.Spec.HiddenSize}, intermediate {r.Spec.IntermediateSize}, heads {r.Spec.Heads}/{r.Spec.KeyValueHeads}, vocab {r.Spec.VocabSize}); {r.DiskBytes / 1e9:0.00} GB of input on disk; {r.Tokens} scored tokens"));
        output.WriteLine("processor seconds (all threads; steadier than wall time on a shared machine), wall seconds in brackets:");
        output.WriteLine(Invariant($"{"size",5} {"params",7} {"read+add",17} {"TA",17} {"TA/plain",8} {"TIES 1st",17} {"TIES",17} {"TIES/plain",10} {"score tok/cpu-s",15} {"fwd tok/cpu-s",13} {"score/fwd",9} {"plain MiB",9} {"cand MiB",9} {"B/param",7}"));
        foreach (var r in rows)
        {
            output.WriteLine(Invariant(
                $"{r.Name + "B",5} {r.Parameters / 1e6,6:0}M {r.Plain,17} {r.TaskArithmetic,17} {r.TaskArithmetic.Cpu / r.Plain.Cpu,7:0.00}x {r.TiesFirst,17} {r.Ties,17} {r.Ties.Cpu / r.Plain.Cpu,9:0.00}x {r.Tokens / r.Scorer.Cpu,15:0.0} {r.Tokens / r.Forward.Cpu,13:0.0} {r.Forward.Cpu / r.Scorer.Cpu,8:0.00}x {r.PlainPeak / 1048576.0,9:0} {r.CandidatePeak / 1048576.0,9:0} {(double)r.CandidatePeak / r.Parameters,7:0.0}"));
        }
        output.WriteLine("TA, TIES: a second candidate materialised by the search's materialiser (TIES 1st: the first, which sorts magnitudes); x/plain: over the plain");
        output.WriteLine("read+add pass; score/fwd: the scorer's tokens per processor second over a plain forward's; plain/cand MiB: peak resident growth of the read+add");
        output.WriteLine("pass and of the materialiser (setup, candidates, scoring); B/param: the materialiser's growth per parameter of one model.");
        foreach (var r in rows)
            output.WriteLine(Invariant($"  {r.Name}B: materialiser setup (open base + sources, build the model) {r.Setup}; absolute peak RSS {r.AbsolutePeak / 1048576.0:0} MiB; one ties candidate materialised and scored {r.Ties.Cpu + r.Scorer.Cpu:0.0} cpu-s"));
        if (rows.Count >= 2)
        {
            Row small = rows[0], large = rows[^1];
            output.WriteLine(Invariant($"{small.Name}B -> {large.Name}B: {large.Parameters / (double)small.Parameters:0.0}x parameters; ties candidate {large.Ties.Cpu / small.Ties.Cpu:0.0}x, scoring {large.Scorer.Cpu / small.Scorer.Cpu:0.0}x processor time, materialiser memory {(double)large.CandidatePeak / small.CandidatePeak:0.0}x"));
        }
    }

    /// <summary>Processor and wall seconds of <paramref name="work"/>.</summary>
    private static Seconds Time(Action work)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        work();
        double wall = clock.Elapsed.TotalSeconds;
        process.Refresh();
        return new Seconds((process.TotalProcessorTime - cpuBefore).TotalSeconds, wall);
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";

    private static (Seconds First, Seconds Second) TwoCandidates(CandidateMaterializer materializer, string method, TinyDecoderSpec spec, string basePath, string[] sourcePaths)
    {
        var layout = new GenomeLayout(new GenomeConfig([method], 4, new GeneRanges(), null), SourceCount, spec.Layers);
        var composer = new RecipeComposer(layout, basePath, sourcePaths, torch.ScalarType.Float32, 0);
        var random = new SearchRandom(7);
        var first = composer.Compose(layout.Decode(layout.Space.RandomGenome(random)));
        var second = composer.Compose(layout.Decode(layout.Space.RandomGenome(random)));
        return (Time(() => materializer.Materialize(first)), Time(() => materializer.Materialize(second)));
    }

    /// <summary>Reads base + sources tensor by tensor into float32 and adds them into one model's worth of preallocated tensors.</summary>
    private static void PlainReadAdd(string basePath, string[] sourcePaths)
    {
        var models = new[] { basePath }.Concat(sourcePaths).Select(ModelDirectory.Open).ToArray();
        var names = models[0].Layout.ExpectedNames().ToArray();
        var outputs = names.ToDictionary(n => n, n => torch.empty(models[0].Weights.Info(n).Shape, torch.ScalarType.Float32).DetachFromDisposeScope());
        try
        {
            foreach (string name in names)
            {
                using var scratch = torch.empty(outputs[name].shape, torch.ScalarType.Float32);
                models[0].Weights.ReadInto(name, outputs[name]);
                foreach (var source in models.Skip(1))
                {
                    source.Weights.ReadInto(name, scratch);
                    outputs[name].add_(scratch, ScalarConstants.One);
                }
            }
        }
        finally
        {
            foreach (var t in outputs.Values) t.Dispose();
            foreach (var m in models) m.Dispose();
        }
    }

    /// <summary>The reference: one forward pass over context + continuation per request, no batching, no shared prefixes.</summary>
    private static void PlainForward(DecoderModel model, IReadOnlyList<LogLikelihoodRequest> requests)
    {
        using var inference = torch.inference_mode();
        foreach (var request in requests)
        {
            using var scope = torch.NewDisposeScope();
            long[] ids = [.. request.Context.Concat(request.Continuation).Select(t => (long)t)];
            model.Logits(torch.tensor(ids, [1, ids.Length])).log_softmax(-1);
        }
    }

    /// <summary>Per question a context of 48–160 tokens and four continuations of 2–12 tokens (lm-eval's ARC/HellaSwag-like shape), fixed by a seed.</summary>
    private static List<LogLikelihoodRequest> Workload(int vocabulary, int questions)
    {
        var random = new Random(20240601);
        int[] Tokens(int n) => [.. Enumerable.Range(0, n).Select(_ => random.Next(vocabulary))];
        var requests = new List<LogLikelihoodRequest>();
        for (int q = 0; q < questions; q++)
        {
            int[] context = Tokens(random.Next(48, 161));
            for (int choice = 0; choice < 4; choice++) requests.Add(new LogLikelihoodRequest(context, Tokens(random.Next(2, 13))));
        }
        return requests;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>Processor seconds (all threads) and wall seconds of one timed step, printed as "cpu (wall)".</summary>
    private readonly record struct Seconds(double Cpu, double Wall)
    {
        public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Cpu:0.00} ({Wall:0.00})");
    }

    private sealed class Row
    {
        public required string Name { get; init; }
        public required TinyDecoderSpec Spec { get; init; }
        public long Parameters { get; set; }
        public long DiskBytes { get; set; }
        public Seconds Plain { get; set; }
        public long PlainPeak { get; set; }
        public Seconds Setup { get; set; }
        public Seconds TaskArithmetic { get; set; }
        public Seconds TiesFirst { get; set; }
        public Seconds Ties { get; set; }
        public long Tokens { get; set; }
        public Seconds Scorer { get; set; }
        public Seconds Forward { get; set; }
        public long CandidatePeak { get; set; }
        public long AbsolutePeak { get; set; }
    }
}
