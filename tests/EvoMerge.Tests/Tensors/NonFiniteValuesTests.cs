using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Tensors;

/// <summary>
/// The bit scan of <see cref="NonFiniteValues"/> for each dtype it reads in place, against values placed by hand: one
/// NaN or infinity anywhere (first element, inside a vector, in the scalar tail, past the first chunk) is found; the
/// largest finite value, subnormals, −0 and a non-contiguous view of finite values are not flagged.
/// </summary>
public class NonFiniteValuesTests
{
    /// <summary>Elements: several 4 MiB chunks of every dtype's width plus a tail that no vector covers.</summary>
    private const long Count = (3L << 20) + 13;

    public static TheoryData<string> DTypes => new() { "float32", "float16", "bfloat16", "float64" };

    private static torch.ScalarType DTypeOf(string name) => name switch
    {
        "float32" => torch.ScalarType.Float32,
        "float16" => torch.ScalarType.Float16,
        "bfloat16" => torch.ScalarType.BFloat16,
        _ => torch.ScalarType.Float64,
    };

    private static double LargestFinite(string name) => name switch
    {
        "float32" => float.MaxValue,
        "float16" => 65504.0,
        "bfloat16" => 3.3895313892515355e38,
        _ => double.MaxValue,
    };

    [Theory]
    [MemberData(nameof(DTypes))]
    public void Finite_values_at_the_edges_of_the_range_are_not_flagged(string name)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.zeros(Count, DTypeOf(name));
        using (var largest = LargestFinite(name).ToScalar()) x[5].fill_(largest);
        using (var negativeLargest = (-LargestFinite(name)).ToScalar()) x[Count - 1].fill_(negativeLargest);
        using (var tiny = 1e-40.ToScalar()) x[Count - 2].fill_(tiny);
        using (var negativeZero = (-0.0).ToScalar()) x[Count / 2].fill_(negativeZero);
        Assert.False(NonFiniteValues.In(x));
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void One_nan_or_infinity_anywhere_is_found(string name)
    {
        long[] positions = [0, 7, (1L << 20) + 3, Count - 1];
        double[] poisons = [double.NaN, double.PositiveInfinity, double.NegativeInfinity];
        foreach (long position in positions)
        {
            foreach (double poison in poisons)
            {
                using var scope = torch.NewDisposeScope();
                var x = torch.ones(Count, DTypeOf(name));
                using (var value = poison.ToScalar()) x[position].fill_(value);
                Assert.True(NonFiniteValues.In(x), $"{name}: {poison} at {position} not found");
            }
        }
    }

    [Fact]
    public void A_non_contiguous_view_and_integer_tensors_are_checked_too()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(64, 64);
        using (var nan = double.NaN.ToScalar()) x[3, 10].fill_(nan);
        Assert.True(NonFiniteValues.In(x.t()));
        Assert.False(NonFiniteValues.In(x.t().narrow(0, 0, 2)));
        Assert.False(NonFiniteValues.In(torch.ones(10, torch.ScalarType.Int32)));
    }
}
