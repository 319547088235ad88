using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class RamMergeTests
{
    private static MergeCase Case(string method) => MergeCase.For(method)
        .Base(Tensors.Of(0, 0, 0, 0))
        .Model(Tensors.Of(1, 0, 2, 0))
        .Model(Tensors.Of(3, 0, 0, 1e-6f));

    [Fact]
    public void Averages_the_active_entries_and_takes_unique_ones_whole()
    {
        using var scope = torch.NewDisposeScope();
        TensorAssert.Close([2, 0, 2, 0], Case("ram").Merge(), 1e-7);
    }

    [Fact]
    public void Ramplus_tl_boosts_unique_entries_by_the_clamped_shared_to_unique_ratio()
    {
        using var scope = torch.NewDisposeScope();
        // Model 1: one shared and one unique active entry, ρ = 1, clamped to alpha 0.2 → λ = 1 + 0.1·0.2.
        TensorAssert.Close([2, 0, 2 * 1.02, 0], Case("ramplus_tl").Merge(), 1e-6);
        TensorAssert.Close([2, 0, 2 * 1.5, 0], Case("ramplus_tl").Global(("r", 0.5), ("alpha", 1)).Merge(), 1e-6);
    }

    [Fact]
    public void Epsilon_sets_what_counts_as_active()
    {
        using var scope = torch.NewDisposeScope();
        TensorAssert.Close([2, 0, 2, 1e-6], Case("ram").Global(("epsilon", 1e-7)).Merge(), 1e-7);
    }
}
