using System.Diagnostics;
using System.Globalization;
using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Inference.Routed;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Merging.Routed;
using EvoMerge.Search.Proxy;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Routed;
using TorchSharp;

namespace EvoMerge.Benchmarks;

/// <summary>
/// <c>evomerge bench inference --model routed</c>: the cost of routed experts (docs/routed-merges.md) against the
/// static model they extend, on the demo models under the current directory. Backbone: the mean of the three
/// specialists (<c>models/addition</c>, <c>reversal</c>, <c>capitals</c>), fp32; one expert per specialist from its
/// residual at rank 8, 32 and full (128); prototypes at layer 0 (the demo's routed row's setting) from the first 32
/// prompts of each skill's dev choice task, as <c>evomerge merge</c> makes them. Every model scores the same
/// documents (the test splits of the three choice tasks, at most <c>questions</c> each) with the batched scorer and
/// shared contexts (what eval runs), three times, the fastest kept; printed per model: parameters, wall and CPU
/// seconds, tokens/s and the ratio to the static backbone. For top-1 at full rank a second row computes every expert (skipping of experts without
/// weight switched off) and reports its largest log-likelihood difference to the skipping row.
/// </summary>
public sealed class RoutedInferenceBenchmark(TextWriter output)
{
    /// <summary>The <c>--model</c> name that selects this benchmark.</summary>
    public const string ModelName = "routed";

    private static readonly string[] Skills = ["addition", "reversal", "capitals"];

    private sealed record Router(string Name, RoutingGranularity Granularity, int TopK, double Temperature, bool AlsoComputingAll);

    private static readonly Router[] Routers =
    [
        new("sequence top-1", RoutingGranularity.Sequence, 1, 1.0, true),
        new("token top-1", RoutingGranularity.Token, 1, 1.0, true),
        new("sequence top-3 T=1", RoutingGranularity.Sequence, 3, 1.0, false),
    ];

    /// <summary>Measures on the demo under <paramref name="root"/> (<c>models/</c>, <c>datasets/</c>).</summary>
    /// <param name="root">The repository root holding the demo models and datasets.</param>
    /// <param name="documentsPerTask">Test documents per choice task, at most.</param>
    /// <param name="tokenBudget">Tokens per batch for the batched scorer.</param>
    public void Run(string root, int documentsPerTask, int tokenBudget)
    {
        string Model(string name) => Path.Combine(root, "models", name);
        string Task(string skill, string split) => Path.Combine(root, "datasets", skill, $"{skill}-choice{split}.yml");
        foreach (string path in Skills.Select(Model).Append(Model("base")).Where(p => !File.Exists(Path.Combine(p, "config.json"))).Take(1))
            throw new ArgumentException($"--model {ModelName}: {path}/config.json not found (run from the repository root, which holds the demo models)");
        if (documentsPerTask < 1) throw new ArgumentException($"--questions {documentsPerTask}: must be positive");
        string work = Directory.CreateTempSubdirectory("evomerge-bench-routed-").FullName;
        try
        {
            using var tensorScope = torch.NewDisposeScope();
            string backboneDirectory = Path.Combine(work, "backbone");
            var (config, backbone) = WriteMean(Skills.Select(Model).ToList(), backboneDirectory);
            torch.Tensor prototypes;
            using (var prompts = new TaskProxyActivations(backboneDirectory, new Dictionary<string, string>(), TaskProxyActivations.MaxPrompts))
            using (var directory = ModelDirectory.Open(backboneDirectory))
            using (var model = DecoderModel.Load(directory))
                prototypes = RouterPrototypes.Collect(model, 0, Skills.Select(s => prompts.Prompts(Task(s, ""))).ToList());

            var requests = Workload(backboneDirectory, Skills.Select(s => Task(s, "-test")).ToList(), documentsPerTask, out int documents);
            long tokens = requests.Sum(r => r.Context.Count + r.Continuation.Count);
            var options = new LogLikelihoodOptions { TokenBudget = tokenBudget, SharePrefixes = true };
            output.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"routed vs static on the demo models: backbone = mean of {string.Join(", ", Skills)}; {documents} test documents of their choice tasks, {requests.Count} requests, {tokens} tokens; batched scorer, shared contexts"));
            output.WriteLine($"  {"model",-40} {"parameters",11} {"×static",8} {"wall s",8} {"cpu s",8} {"tokens/s",9} {"tok/cpu-s",10} {"vs static",10} {"(cpu)",7}");

            Measurement reference;
            using (var directory = ModelDirectory.Open(backboneDirectory))
            using (var model = DecoderModel.Load(directory))
            {
                reference = Measure(model, requests, options);
                Line("static backbone", directory.Weights.ParameterCount, directory.Weights.ParameterCount, reference, tokens, reference);
            }
            long staticParameters = backbone.Sum(t => t.Tensor.numel());
            foreach (int? rank in new int?[] { 8, 32, null })
            {
                var factors = Factors(Skills.Select(Model).ToList(), backbone, rank ?? 128, config.NumHiddenLayers);
                foreach (var router in Routers)
                {
                    var block = new RoutedExpertsConfig
                    {
                        Experts = Skills.Length, Sources = Skills, Rank = rank ?? 128, RouterLayer = 0, Temperature = router.Temperature,
                        Granularity = router.Granularity, TopK = router.TopK,
                    };
                    string routedDirectory = Path.Combine(work, $"routed-{rank?.ToString(CultureInfo.InvariantCulture) ?? "full"}-{router.Granularity}-{router.TopK}");
                    RoutedModelWriter.Write(routedDirectory, config.Raw, backbone, factors, prototypes, block);
                    using var directory = ModelDirectory.OpenRoutedAware(routedDirectory);
                    using var model = DecoderModel.Load(directory);
                    string name = $"routed r={rank?.ToString(CultureInfo.InvariantCulture) ?? "full"} {router.Name}";
                    var skipping = Measure(model, requests, options);
                    Line(name, directory.Weights.ParameterCount, staticParameters, skipping, tokens, reference);
                    if (router.AlsoComputingAll && rank is null)
                    {
                        model.Experts!.SkipsUnweightedExperts = false;
                        var all = Measure(model, requests, options);
                        double difference = all.Results.Zip(skipping.Results).Max(p => Math.Abs(p.First.LogLikelihood - p.Second.LogLikelihood));
                        Line($"  every expert computed (max |Δ| {difference.ToString("E1", CultureInfo.InvariantCulture)})", directory.Weights.ParameterCount, staticParameters, all, tokens, reference);
                    }
                    Directory.Delete(routedDirectory, recursive: true);
                }
            }
            output.WriteLine(ProcessMemory.Peak() is > 0 and var peak ? $"  peak RSS (VmHWM) {peak / (1024 * 1024)} MiB" : "  peak RSS (VmHWM) unavailable");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Writes the fp32 mean of <paramref name="sources"/> (with the first's config and tokenizer) and returns its config and tensors.</summary>
    private static (ModelConfig Config, List<(string Name, torch.Tensor Tensor)> Tensors) WriteMean(IReadOnlyList<string> sources, string directory)
    {
        var opened = sources.Select(ModelDirectory.Open).ToList();
        try
        {
            var first = opened[0];
            using var count = ((double)sources.Count).ToScalar();
            var tensors = first.Weights.Names.Select(name =>
            {
                using var scope = torch.NewDisposeScope();
                var sum = torch.zeros(first.Weights.Info(name).Shape, torch.ScalarType.Float64);
                foreach (var source in opened) sum.add_(source.Weights.Load(name, torch.ScalarType.Float64), ScalarConstants.One);
                return (name, sum.div(count).to_type(torch.ScalarType.Float32).MoveToOuterDisposeScope());
            }).ToList();
            var config = (System.Text.Json.Nodes.JsonObject)first.Config.Raw.DeepClone();
            config["torch_dtype"] = "float32";
            Directory.CreateDirectory(directory);
            SafetensorsWriter.WriteModel(directory, tensors);
            first.CopyAuxiliaryFilesTo(directory);
            AtomicFile.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString());
            using var written = ModelDirectory.Open(directory);
            return (written.Config, tensors);
        }
        finally
        {
            foreach (var d in opened) d.Dispose();
        }
    }

    /// <summary>Every specialist's factors of its residual against the backbone, on the seven linear weights of every layer.</summary>
    private static List<RoutedModelWriter.Factor> Factors(IReadOnlyList<string> sources, List<(string Name, torch.Tensor Tensor)> backbone, int rank, int layers)
    {
        var factors = new List<RoutedModelWriter.Factor>();
        var byName = backbone.ToDictionary(t => t.Name, t => t.Tensor, StringComparer.Ordinal);
        for (int s = 0; s < sources.Count; s++)
        {
            using var source = ModelDirectory.Open(sources[s]);
            for (int layer = 0; layer < layers; layer++)
            {
                foreach (string local in RoutedExperts.LinearNames)
                {
                    string name = DecoderLayout.LayerName("model.layers.{i}." + local, layer);
                    using var scope = torch.NewDisposeScope();
                    if (ResidualFactors.Of(source.Weights.Load(name, torch.ScalarType.Float32), byName[name], rank, null) is { } p)
                        factors.Add(new RoutedModelWriter.Factor(name, s, p.A.MoveToOuterDisposeScope(), p.B.MoveToOuterDisposeScope()));
                }
            }
        }
        return factors;
    }

    /// <summary>Each choice task's first test documents as eval encodes them: one request per choice.</summary>
    private static List<LogLikelihoodRequest> Workload(string model, IReadOnlyList<string> tasks, int documentsPerTask, out int documents)
    {
        var tokenizer = TextTokenizer.Load(model);
        using var directory = ModelDirectory.Open(model);
        var encoder = new RequestEncoder(tokenizer, directory.Config.MaxPositionEmbeddings);
        var requests = new List<LogLikelihoodRequest>();
        documents = 0;
        foreach (string file in tasks)
        {
            foreach (var document in EvalTask.Load(file, documentsPerTask).Documents.OfType<MultipleChoiceDocument>())
            {
                documents++;
                requests.AddRange(document.Choices.Select(choice => encoder.Encode(document.Context, document.TargetDelimiter + choice)));
            }
        }
        return requests;
    }

    /// <summary>
    /// The fastest of <see cref="Repetitions"/> scorings of <paramref name="requests"/> (wall and process CPU seconds,
    /// each its own minimum), after a warm-up on a few of them: on a shared machine the minimum is the least disturbed run.
    /// </summary>
    private static Measurement Measure(DecoderModel model, List<LogLikelihoodRequest> requests, LogLikelihoodOptions options)
    {
        model.LogLikelihood(requests.Take(16).ToList(), options);
        var process = Process.GetCurrentProcess();
        double wall = double.MaxValue, cpu = double.MaxValue;
        IReadOnlyList<LogLikelihoodResult> results = [];
        for (int i = 0; i < Repetitions; i++)
        {
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            results = model.LogLikelihood(requests, options);
            wall = Math.Min(wall, clock.Elapsed.TotalSeconds);
            process.Refresh();
            cpu = Math.Min(cpu, (process.TotalProcessorTime - cpuBefore).TotalSeconds);
        }
        return new Measurement(wall, cpu, results);
    }

    private const int Repetitions = 3;

    private void Line(string name, long parameters, long staticParameters, Measurement m, long tokens, Measurement reference) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-40} {parameters,11:N0} {parameters / (double)staticParameters,7:F2}x {m.WallSeconds,8:F2} {m.CpuSeconds,8:F2} {tokens / m.WallSeconds,9:F0} {tokens / m.CpuSeconds,10:F0} {reference.WallSeconds / m.WallSeconds,9:F2}x {reference.CpuSeconds / m.CpuSeconds,6:F2}x"));

    private sealed record Measurement(double WallSeconds, double CpuSeconds, IReadOnlyList<LogLikelihoodResult> Results);
}
