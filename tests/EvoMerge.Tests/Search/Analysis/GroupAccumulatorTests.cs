using EvoMerge.Search.Analysis;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search.Analysis;

/// <summary>
/// The subspace overlap's singular value decompositions: one per model and matrix (not one per pair and side), and
/// the overlaps they give equal a hand-worked example.
/// </summary>
public class GroupAccumulatorTests
{
    [Fact]
    public void EachModelsMatrixIsDecomposedOnceWhateverTheNumberOfPairs()
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator(5);
        var accumulator = new GroupAccumulator(4);
        var matrix = torch.randn([6, 5], dtype: torch.ScalarType.Float64, generator: generator);
        accumulator.Add(matrix, [.. Enumerable.Range(0, 4).Select(_ => torch.randn([6, 5], dtype: torch.ScalarType.Float64, generator: generator))]);
        Assert.Equal(4, accumulator.Decompositions); // 6 pairs: 12 decompositions when each pair decomposes both sides
        var vector = torch.randn([7], dtype: torch.ScalarType.Float64, generator: generator);
        accumulator.Add(vector, [.. Enumerable.Range(0, 4).Select(_ => torch.randn([7], dtype: torch.ScalarType.Float64, generator: generator))]);
        Assert.Equal(4, accumulator.Decompositions); // vectors have no singular directions to compare
        var single = new GroupAccumulator(1);
        single.Add(matrix, [matrix]);
        Assert.Equal(0, single.Decompositions); // one model: no pairs, nothing to compare
    }

    [Fact]
    public void OverlapsFromTheOnceComputedDirectionsMatchAHandWorkedExample()
    {
        // 10 × 9 task vectors, rank 9 (k = min(8, 10, 9) = 8). a: diagonal 9, 8, …, 1 in rows 0–8, so its top-8
        // directions are e0…e7. b: the same with rows 7 and 9 swapped, so its top 8 are e0…e6 and e9: 7 shared of 8,
        // overlap 7/8. c: b's rows, its top 8 are e0…e6, e9 again: overlap with b 1, with a 7/8.
        using var scope = torch.NewDisposeScope();
        var values = new double[10 * 9];
        for (int i = 0; i < 9; i++) values[i * 9 + i] = 9 - i;
        var a = torch.tensor(values, [10, 9]);
        var b = a.index_select(0, torch.tensor(new long[] { 0, 1, 2, 3, 4, 5, 6, 9, 8, 7 }));
        var c = b.add(b);
        var baseTensor = torch.ones([10, 9], dtype: torch.ScalarType.Float64);
        var accumulator = new GroupAccumulator(3);
        accumulator.Add(baseTensor, [a, b, c]);
        var pairs = accumulator.Result(new TensorKindGroup(null, TensorKindGroup.AllKinds), ["a", "b", "c"]).Pairs;
        Assert.Equal(7.0 / 8, pairs.Single(p => p.A == "a" && p.B == "b").SubspaceOverlap!.Value, 1e-12);
        Assert.Equal(7.0 / 8, pairs.Single(p => p.A == "a" && p.B == "c").SubspaceOverlap!.Value, 1e-12);
        Assert.Equal(1.0, pairs.Single(p => p.A == "b" && p.B == "c").SubspaceOverlap!.Value, 1e-12);
        Assert.Equal(3, accumulator.Decompositions);
    }
}
