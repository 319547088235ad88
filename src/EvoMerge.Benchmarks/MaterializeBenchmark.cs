using System.Diagnostics;
using System.Globalization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Materialization;
using EvoMerge.Optimization;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Benchmarks;

/// <summary>
/// The measurement behind <c>evomerge bench materialize</c>: writes a base model and source models of the given
/// shape, then times building one search candidate in memory from the resident inputs (per method) next to one plain
/// pass that reads the same input bytes from the safetensors files and adds them into preallocated tensors, in the
/// same run, and writes the table to the writer it is given.
/// </summary>
public sealed class MaterializeBenchmark(TextWriter output)
{
    /// <summary>A fp32 Llama shape with 12 attention heads and 4 key-value heads (the default is ~100M parameters).</summary>
    public static TinyDecoderSpec Llama(int layers, int hidden, int intermediate, int vocab) => new()
    {
        Layers = layers, HiddenSize = hidden, IntermediateSize = intermediate, VocabSize = vocab, Heads = 12, KeyValueHeads = 4,
    };

    /// <summary>Writes the models (kept when <paramref name="workDir"/> already holds them), times the passes, prints the table.</summary>
    /// <param name="spec">Shape of the base and every source (fp32).</param>
    /// <param name="sourceCount">Source models besides the base.</param>
    /// <param name="repeats">Timed passes (best is reported).</param>
    /// <param name="methods">Merge methods whose candidates are timed.</param>
    /// <param name="workDir">Where the models are written (null: a temporary directory, removed afterwards).</param>
    public void Run(TinyDecoderSpec spec, int sourceCount, int repeats, string[] methods, string? workDir)
    {
        var inv = CultureInfo.InvariantCulture;
        string root = workDir ?? Path.Combine(Path.GetTempPath(), "evomerge-bench-materialize-" + Environment.ProcessId);
        bool cleanup = workDir is null;
        try
        {
            var (basePath, sourcePaths) = SyntheticSources.Write(root, spec, sourceCount);
            using var baseModel = ModelDirectory.Open(basePath);
            long parameters = baseModel.Weights.ParameterCount;
            long inputBytes = baseModel.Weights.TotalBytes * (1 + sourceCount);
            output.WriteLine(string.Create(inv, $"model: {parameters / 1e6:F1}M parameters fp32, {spec.Layers} layers; base + {sourceCount} sources = {inputBytes / 1048576.0:F0} MiB of input; best of {repeats}, page cache warm"));
            output.WriteLine(string.Create(inv, $"{"pass",-58} {"seconds",8} {"GB/s in",8}"));

            double plain = double.MaxValue;
            var names = baseModel.Layout.ExpectedNames().ToArray();
            var outputs = names.ToDictionary(n => n, n => torch.empty(baseModel.Weights.Info(n).Shape, torch.ScalarType.Float32));
            var scratch = names.ToDictionary(n => n, n => torch.empty(baseModel.Weights.Info(n).Shape, torch.ScalarType.Float32));
            var opened = sourcePaths.Select(ModelDirectory.Open).ToArray();
            for (int r = 0; r <= repeats; r++)
            {
                var clock = Stopwatch.StartNew();
                foreach (string name in names)
                {
                    baseModel.Weights.ReadInto(name, outputs[name]);
                    foreach (var source in opened)
                    {
                        source.Weights.ReadInto(name, scratch[name]);
                        outputs[name].add_(scratch[name], ScalarConstants.One);
                    }
                }
                if (r > 0) plain = Math.Min(plain, clock.Elapsed.TotalSeconds);
            }
            foreach (var t in outputs.Values.Concat(scratch.Values)) t.Dispose();
            foreach (var source in opened) source.Dispose();
            output.WriteLine(string.Create(inv, $"{"plain pass: read base + sources from safetensors, add",-58} {plain,8:F3} {inputBytes / 1e9 / plain,8:F2}"));

            var clockLoad = Stopwatch.StartNew();
            using var materializer = new CandidateMaterializer(basePath, sourcePaths, torch.ScalarType.Float32);
            output.WriteLine(string.Create(inv, $"{"materialiser setup: open base + sources, build the model",-58} {clockLoad.Elapsed.TotalSeconds,8:F3}"));
            foreach (string method in methods)
            {
                var genome = new GenomeConfig([method], 4, new GeneRanges(), null);
                var layout = new GenomeLayout(genome, sourceCount, spec.Layers);
                var composer = new RecipeComposer(layout, basePath, sourcePaths, torch.ScalarType.Float32, 0);
                var random = new SearchRandom(7);
                var first = composer.Compose(layout.Decode(layout.Space.RandomGenome(random)));
                var clock = Stopwatch.StartNew();
                materializer.Materialize(first);
                double firstSeconds = clock.Elapsed.TotalSeconds;
                double best = double.MaxValue;
                for (int r = 0; r < repeats; r++)
                {
                    var recipe = composer.Compose(layout.Decode(layout.Space.RandomGenome(random)));
                    clock.Restart();
                    materializer.Materialize(recipe);
                    best = Math.Min(best, clock.Elapsed.TotalSeconds);
                }
                output.WriteLine(string.Create(inv, $"{$"materialise one {method} candidate in memory (first: {firstSeconds:F3} s)",-58} {best,8:F3} {inputBytes / 1e9 / best,8:F2}   {plain / best,5:P0} of plain speed"));
            }
            output.WriteLine(string.Create(inv, $"peak resident memory {ProcessMemory.Peak() / 1048576.0:F0} MiB; tensors held by the materialiser {materializer.ResidentBytes / 1048576.0:F0} MiB"));
        }
        finally
        {
            if (cleanup && Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

}
