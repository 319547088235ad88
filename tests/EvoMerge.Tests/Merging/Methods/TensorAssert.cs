using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>Assertions on tensor values.</summary>
internal static class TensorAssert
{
    public static float[] Values(torch.Tensor tensor)
    {
        using var asFloat = tensor.to(torch.ScalarType.Float32).contiguous();
        return asFloat.data<float>().ToArray();
    }

    public static void Close(double[] expected, torch.Tensor actual, double tolerance = 1e-6)
    {
        var values = Values(actual);
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - values[i]) <= tolerance * Math.Max(1.0, Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {values[i]} (all: [{string.Join(", ", values)}])");
    }

    public static void Equal(torch.Tensor expected, torch.Tensor actual)
    {
        Assert.Equal(expected.shape, actual.shape);
        Assert.Equal(Values(expected), Values(actual));
    }

    public static void Close(torch.Tensor expected, torch.Tensor actual, double tolerance = 1e-6)
    {
        Assert.Equal(expected.shape, actual.shape);
        Close(Values(expected).Select(v => (double)v).ToArray(), actual, tolerance);
    }
}
