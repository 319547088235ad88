using EvoMerge.Merging;
using EvoMerge.Merging.Methods;
using EvoMerge.Merging.Sparsification;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>
/// The fused float32 pass of the task-arithmetic family against its tensor-at-a-time formulation: every output bit
/// must agree, for every registered member, with magnitude ties, negative and zero-sum weights, normalize, rescale,
/// lambda, tensors larger than one work chunk, and with and without precomputed magnitude orders.
/// </summary>
public sealed class Float32TaskArithmeticTests
{
    public static TheoryData<string> Methods() =>
        ["task_arithmetic", "ties", "dare_ties", "dare_linear", "breadcrumbs", "breadcrumbs_ties", "della", "della_linear"];

    [Theory]
    [MemberData(nameof(Methods))]
    public void The_fused_pass_is_bit_identical_to_the_tensor_formulation(string method)
    {
        var generator = new torch.Generator(1234, torch.CPU);
        var random = new Random(method.Length * 7919);
        long[][] shapes = [[5], [33, 7], [300, 251], [70_001], [600, 500]];
        for (int trial = 0; trial < 20; trial++)
        {
            using var scope = torch.NewDisposeScope();
            var shape = shapes[trial % shapes.Length];
            int models = 1 + trial % 3;
            // Quantised deltas make many magnitudes equal, so tie budgets and chunk boundaries are exercised.
            // Held scalars: an implicit one (x / 8) can be finalised while libtorch reads it (HeldScalarTests).
            var b = Tensors.Random(generator, shape);
            using var spread = (trial % 2 == 0 ? 4 : 1000).ToScalar();
            using var eight = 8.ToScalar();
            var inputs = Enumerable.Range(0, models)
                .Select(_ => b.add(torch.round(Tensors.Random(generator, shape).mul(spread)).div(eight), ScalarConstants.One)).ToArray();
            double[] weights = inputs.Select(_ => Math.Round(random.NextDouble() * 3 - 1, 2)).ToArray();
            if (trial % 5 == 4 && models > 1)
                weights[^1] = -weights[..^1].Sum();
            double[] densities = inputs.Select(_ => trial % 4 == 3 ? 1.0 : 0.2 + 0.6 * random.NextDouble()).ToArray();
            bool normalize = trial % 2 == 1, rescale = trial % 3 == 1;
            double lambda = trial % 4 == 2 ? 0.7 : 1.0;
            bool ordered = trial % 3 == 0;

            MergeCase Case()
            {
                var c = MergeCase.For(method).Base(b).Global(("normalize", normalize ? 1 : 0), ("rescale", rescale ? 1 : 0), ("lambda", lambda));
                for (int i = 0; i < inputs.Length; i++)
                {
                    var order = ordered ? MagnitudeOrder.FromModel(inputs[i], b) : null;
                    c.Model(inputs[i], order, ("weight", weights[i]), ("density", densities[i]), ("gamma", 0.05), ("epsilon", 0.1));
                }
                c.Random = new torch.Generator(99, torch.CPU);
                return c;
            }

            var fused = Case().Merge();
            var reference = Case();
            var context = reference.Build();
            var gta = (GeneralizedTaskArithmetic)reference.Method;
            var expected = gta.MergeTensors(context, context.Base!, normalize, rescale, lambda);
            AssertBitwiseEqual(expected, fused, $"{method} trial {trial}");
        }
    }

    [Fact]
    public void A_given_destination_receives_the_result()
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(5, torch.CPU);
        var b = Tensors.Random(generator, 64, 9);
        var x = Tensors.Random(generator, 64, 9);
        var destination = torch.full([64, 9], float.NaN);
        var c = MergeCase.For("ties").Base(b).Model(x, ("weight", 0.6), ("density", 0.3));
        var expected = c.Merge();
        var context = c.Build();
        var result = c.Method.Merge(new MergeContext
        {
            TensorName = context.TensorName, Base = context.Base, Models = context.Models, Global = context.Global, Destination = destination,
        });
        Assert.Same(destination, result);
        AssertBitwiseEqual(expected, destination, "destination");
    }

    private static void AssertBitwiseEqual(torch.Tensor expected, torch.Tensor actual, string what)
    {
        Assert.Equal(expected.shape, actual.shape);
        var e = TensorAssert.Values(expected);
        var a = TensorAssert.Values(actual);
        for (int i = 0; i < e.Length; i++)
        {
            if (BitConverter.SingleToUInt32Bits(e[i]) != BitConverter.SingleToUInt32Bits(a[i]))
                Assert.Fail($"{what}: element {i} differs: expected {e[i]:R}, got {a[i]:R}");
        }
    }
}
