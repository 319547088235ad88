using TorchSharp;

namespace EvoMerge.Tensors;

/// <summary>
/// Whether a tensor holds NaN or ±∞: one <c>isfinite().all()</c> reduction in its own dispose scope, so checking a
/// model tensor by tensor never holds more than one boolean mask at a time. Integer and boolean tensors are always finite.
/// </summary>
public static class NonFiniteValues
{
    /// <summary>True when <paramref name="tensor"/> holds at least one NaN or infinity.</summary>
    public static bool In(torch.Tensor tensor)
    {
        if (!tensor.is_floating_point()) return false;
        using var scope = torch.NewDisposeScope();
        return !torch.isfinite(tensor).all().item<bool>();
    }

    /// <summary>The first of <paramref name="tensors"/> (by name, in order) that holds NaN or infinity; null when all are finite.</summary>
    public static string? FirstIn(IEnumerable<KeyValuePair<string, torch.Tensor>> tensors) =>
        tensors.FirstOrDefault(t => In(t.Value)).Key;
}
