using TorchSharp;

namespace EvoMerge.Merging;

/// <summary>
/// Scalars kept alive until disposed. TorchSharp hands a <see cref="Scalar"/>'s native handle to libtorch without
/// keeping the managed object alive, and dispose scopes do not track scalars, so an implicit temporary
/// (<c>tensor * 0.5</c>, <c>tensor.gt(0)</c>) can be finalized by the GC while libtorch still reads it (seen as
/// "Expected false to be true ... toDouble" under load). Declare one after the method's dispose scope
/// (<c>using var scalars = new HeldScalars();</c>) and pass every scalar operand through <see cref="Hold(double)"/>.
/// TorchSharp's shortcuts that make a scalar themselves (<c>a + b</c>, <c>add_(x)</c>, <c>square()</c>) take
/// <see cref="EvoMerge.Tensors.ScalarConstants"/> instead (<c>a.add(b, ScalarConstants.One)</c>); HeldScalarTests
/// checks the compiled product for any scalar left unheld.
/// </summary>
internal sealed class HeldScalars : IDisposable
{
    private readonly List<Scalar> _held = [];

    /// <summary>A floating scalar that lives until this is disposed.</summary>
    public Scalar Hold(double value) => Keep(value.ToScalar());

    /// <summary>A boolean scalar that lives until this is disposed.</summary>
    public Scalar Hold(bool value) => Keep(value.ToScalar());

    /// <summary>Disposes every held scalar.</summary>
    public void Dispose()
    {
        foreach (var scalar in _held)
            scalar.Dispose();
        _held.Clear();
    }

    private Scalar Keep(Scalar scalar)
    {
        _held.Add(scalar);
        return scalar;
    }
}
