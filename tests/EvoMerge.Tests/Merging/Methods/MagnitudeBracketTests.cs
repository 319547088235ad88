using EvoMerge.Merging.Sparsification;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>
/// The one-pass sample-bracket selection of the fused TIES path against the tensor selection it replaces
/// (<see cref="MagnitudeSelection.Largest"/>, itself checked against a full sort) and against the radix cut with the
/// tie scan: the same kept set, element for element, and the same boundary, on tensors large enough to be sampled and
/// with adversarial magnitudes (heavy ties, all equal, mostly zero, one huge outlier, infinities, NaN, signed zeros,
/// subnormals).
/// </summary>
public sealed unsafe class MagnitudeBracketTests
{
    private const int Count = 300_001;

    public static TheoryData<string> Distributions() =>
        ["gaussian", "float16", "coarse", "all-equal", "mostly-zero", "outlier", "special", "rows"];

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Keeps_the_same_elements_as_the_tensor_selection(string distribution)
    {
        var (values, baseValues) = Make(distribution, distribution.Length * 31 + 7);
        using var scope = torch.NewDisposeScope();
        var delta = torch.tensor(values) - torch.tensor(baseValues);
        var deltas = TensorAssert.Values(delta);
        fixed (float* v = values, b = baseValues)
        {
            var source = new TaskVectorMagnitudes.Source((nint)v, (nint)b, Count);
            foreach (long k in Ranks(deltas))
            {
                var boundary = TaskVectorMagnitudes.Largest(source, k);
                var reference = TaskVectorMagnitudes.FromCut(source, k, TaskVectorMagnitudes.Cut(source, k));
                Assert.Equal(reference, boundary);
                var expected = Bools(MagnitudeSelection.Largest(delta, k));
                for (int j = 0; j < Count; j++)
                {
                    if (boundary.Contains(MagnitudeBoundary.KeyOf(deltas[j]), j) != expected[j])
                        Assert.Fail($"{distribution}, k = {k}: element {j} (delta {deltas[j]:R}) is {(expected[j] ? "kept" : "dropped")} by the tensor selection but not by the bracket");
                }
            }
        }
    }

    [Fact]
    public void Without_a_base_the_values_are_the_task_vector()
    {
        var (values, _) = Make("float16", 3);
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(values);
        fixed (float* v = values)
        {
            var source = new TaskVectorMagnitudes.Source((nint)v, 0, Count);
            foreach (long k in new long[] { 1, Count / 3, Count / 2, Count - 2 })
            {
                Assert.True(MagnitudeBracket.TryLargest(source, k, out var boundary));
                var expected = Bools(MagnitudeSelection.Largest(x, k));
                for (int j = 0; j < Count; j++)
                    Assert.True(boundary.Contains(MagnitudeBoundary.KeyOf(values[j]), j) == expected[j], $"k = {k}: element {j}");
            }
        }
    }

    [Theory]
    [InlineData("gaussian", true)]
    [InlineData("float16", true)]
    [InlineData("outlier", true)]
    [InlineData("all-equal", false)]
    public void The_bracket_answers_in_one_pass_unless_too_many_magnitudes_tie(string distribution, bool answers)
    {
        var (values, baseValues) = Make(distribution, 11);
        fixed (float* v = values, b = baseValues)
        {
            var source = new TaskVectorMagnitudes.Source((nint)v, (nint)b, Count);
            Assert.Equal(answers, MagnitudeBracket.TryLargest(source, Count / 2, out _));
            Assert.False(MagnitudeBracket.TryLargest(source with { Count = MagnitudeBracket.MinimumCount - 1 }, 100, out _));
        }
    }

    /// <summary>Ranks at the ends, around the middle, and at the first and last element of the middle tie group.</summary>
    private static IEnumerable<long> Ranks(float[] deltas)
    {
        var keys = deltas.Select(MagnitudeBoundary.KeyOf).OrderDescending().ToArray();
        uint middle = keys[Count / 2];
        long firstTied = Array.IndexOf(keys, middle) + 1;
        long lastTied = Array.LastIndexOf(keys, middle) + 1;
        return new long[] { 1, 2, 17, Count / 10, Count / 2, Count / 2 + 1, firstTied, lastTied, Math.Min(lastTied + 1, Count - 1), Count - 1 }
            .Where(k => k is >= 1 and < Count).Distinct();
    }

    private static (float[] Values, float[] Base) Make(string distribution, int seed)
    {
        var random = new Random(seed);
        var values = new float[Count];
        var baseValues = new float[Count];
        for (int j = 0; j < Count; j++)
        {
            float b = (float)(0.02 * Gaussian(random));
            float d = (float)(0.001 * Gaussian(random));
            (baseValues[j], values[j]) = distribution switch
            {
                "float16" => ((float)(Half)b, (float)(Half)(b + d)),
                "coarse" => (b, b + MathF.Round(d * 16_000) / 1024),
                "all-equal" => (b, b + (random.Next(2) == 0 ? 0.5f : -0.5f)),
                "mostly-zero" => (b, random.Next(10) == 0 ? b + d : b),
                "rows" => (b, b + d * (1 + j / 1000 % 50)),
                _ => (b, b + d),
            };
        }
        if (distribution == "outlier")
            values[random.Next(Count)] = 1e30f;
        if (distribution == "special")
        {
            float[] specials = [float.PositiveInfinity, float.NegativeInfinity, float.NaN, -0f, 0f, 1e-40f, -1e-40f, float.Epsilon];
            for (int i = 0; i < 400; i++)
            {
                int j = random.Next(Count);
                values[j] = specials[i % specials.Length];
                baseValues[j] = i % 3 == 0 ? 0f : baseValues[j];
            }
        }
        return (values, baseValues);
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static bool[] Bools(torch.Tensor mask)
    {
        using var asBytes = mask.to(torch.ScalarType.Byte);
        return asBytes.data<byte>().ToArray().Select(b => b != 0).ToArray();
    }
}
