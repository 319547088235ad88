using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// Sums same-shaped tensors the way torch sums a stack along its first dimension (what mergekit does): the total is
/// accumulated in float32 (float64 for float64 terms) and rounded to the terms' dtype once, at the end. Terms are
/// added one at a time, so no stacked copy is ever built. Create and use it inside the caller's dispose scope.
/// </summary>
internal sealed class StackSum
{
    private readonly torch.ScalarType _dtype;
    private torch.Tensor? _total;

    /// <summary>A sum whose result has the given dtype.</summary>
    public StackSum(torch.ScalarType dtype)
    {
        _dtype = dtype;
    }

    private torch.ScalarType Accumulator => _dtype == torch.ScalarType.Float64 ? torch.ScalarType.Float64 : torch.ScalarType.Float32;

    /// <summary>Adds one term, which has the shape of the terms before it; the term itself is not modified.</summary>
    public void Add(torch.Tensor term)
    {
        if (_total is null)
            _total = term.to(Accumulator, copy: true);
        else
            _total.add_(term, ScalarConstants.One);
    }

    /// <summary>
    /// Adds a term the caller gives up: when it already has the accumulator's dtype it becomes the running total (no
    /// copy), otherwise it is added and disposed. The caller must not use it afterwards.
    /// </summary>
    public void AddOwned(torch.Tensor term)
    {
        if (_total is null && term.dtype == Accumulator)
        {
            _total = term;
            return;
        }
        Add(term);
        term.Dispose();
    }

    /// <summary>
    /// The sum rounded to the dtype; an error when nothing was added. The result may share storage with the running
    /// total, so the sum must not be added to afterwards.
    /// </summary>
    public torch.Tensor Result() =>
        _total?.to(_dtype) ?? throw new InvalidOperationException("StackSum: no terms were added");

    /// <summary>The sum of the given terms, rounded to the dtype.</summary>
    public static torch.Tensor Of(IEnumerable<torch.Tensor> terms, torch.ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        var sum = new StackSum(dtype);
        foreach (var term in terms)
            sum.Add(term);
        return sum.Result().MoveToOuterDisposeScope();
    }
}
