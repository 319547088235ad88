using TorchSharp;

namespace EvoMerge.Tensors;

/// <summary>
/// TorchSharp scalars of fixed numbers that live as long as the process (a static is never finalized), for libtorch
/// calls whose scalar operand is a constant. TorchSharp's own shortcuts make such a scalar and drop it while libtorch
/// still reads it (<c>a + b</c> is <c>a.add(b, 1)</c>, <c>x.square()</c> is <c>x.pow(2)</c>), so a sum is written
/// <c>a.add(b, ScalarConstants.One)</c>. Variable values are held with a <c>using</c> scalar instead.
/// </summary>
public static class ScalarConstants
{
    /// <summary>The integer 0 (e.g. where an <c>arange</c> starts).</summary>
    public static Scalar Zero { get; } = 0.ToScalar();

    /// <summary>The integer 1: the alpha of a plain tensor sum, an <c>arange</c> step.</summary>
    public static Scalar One { get; } = 1.ToScalar();

    /// <summary>The integer 2 (a square is <c>pow(ScalarConstants.Two)</c>).</summary>
    public static Scalar Two { get; } = 2.ToScalar();
}
