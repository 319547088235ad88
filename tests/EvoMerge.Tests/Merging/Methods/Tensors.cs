using TorchSharp;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>Short constructors for test tensors.</summary>
internal static class Tensors
{
    public static torch.Tensor Of(params float[] values) => torch.tensor(values);

    public static torch.Tensor Of(float[] values, params long[] shape) => torch.tensor(values).reshape(shape);

    public static torch.Tensor Random(torch.Generator generator, params long[] shape) =>
        torch.randn(shape, generator: generator);
}
