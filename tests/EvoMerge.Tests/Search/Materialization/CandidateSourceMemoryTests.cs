using EvoMerge.Benchmarks;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Materialization;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace EvoMerge.Tests.Search.Materialization;

/// <summary>
/// Issue 22 item 6: a candidate costs one model's memory beyond the sources. Building a materialiser over a bf16 base
/// and three bf16 sources and materialising one float32 dare_ties candidate raises the process's peak resident set by
/// about the candidate model's float32 size, not by the four inputs held in float32 (five model sizes).
/// </summary>
[Collection(MemoryMeasurementCollection.Name)]
public class CandidateSourceMemoryTests(ITestOutputHelper output)
{
    [Fact]
    public void A_candidate_from_bf16_sources_raises_peak_memory_by_about_one_float32_model()
    {
        using var temp = new TempDirectory("evomerge-source-memory");
        var spec = new TinyDecoderSpec
        {
            Layers = 16, HiddenSize = 256, IntermediateSize = 704, Heads = 4, KeyValueHeads = 2, VocabSize = 256,
            DType = torch.ScalarType.BFloat16,
        };
        string[] names = ["base", "a", "b", "c"];
        string[] paths = [.. names.Select(n => Path.Combine(temp.Path, n))];
        for (int i = 0; i < paths.Length; i++) TinyDecoderWriter.WriteRandom(paths[i], spec, i + 1);
        long modelBytes;
        using (var weights = ModelWeights.Open(paths[0])) modelBytes = weights.ParameterCount * sizeof(float);
        string recipe = $$"""
            merge_method: dare_ties
            base_model: {{paths[0]}}
            models:
              - model: {{paths[1]}}
                parameters: {weight: 0.4, density: 0.5}
              - model: {{paths[2]}}
                parameters: {weight: 0.3, density: 0.6}
              - model: {{paths[3]}}
                parameters: {weight: 0.3, density: 0.4}
            dtype: float32
            """;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long before = ProcessMemory.ResetPeak();
        using (var materializer = new CandidateMaterializer(paths[0], paths[1..], torch.ScalarType.Float32))
        {
            materializer.Materialize(new CandidateRecipe(recipe, null, "memory", 7, spec.Layers, null));
        }
        long growth = ProcessMemory.Peak() - before;
        output.WriteLine($"model {modelBytes / 1048576.0:F1} MiB (float32); peak resident memory grew by {growth / 1048576.0:F1} MiB");
        Assert.True(growth < 1.5 * modelBytes,
            $"materialising one candidate raised peak resident memory by {growth / 1048576.0:F1} MiB, more than 1.5 × the {modelBytes / 1048576.0:F1} MiB float32 model");
    }
}
