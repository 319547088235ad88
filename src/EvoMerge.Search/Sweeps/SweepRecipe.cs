using EvoMerge.Search.Genomes;
using EvoMerge.Search.Runs;

namespace EvoMerge.Search.Sweeps;

/// <summary>The recipe of a sweep point, written by the search's composer (so its hash is a search candidate's).</summary>
public static class SweepRecipe
{
    /// <summary>Every layer group with the point's parameters; with a layer ordering, every layer once in order at scale 1.</summary>
    public static CandidateRecipe Compose(SearchSetup setup, SweepPoint point)
    {
        var layout = setup.Layout;
        var groups = Enumerable.Range(0, layout.GroupCount).Select(_ => new GroupParameters(point.PerModel, point.Global)).ToArray();
        var slots = layout.SlotCount == 0 ? null : Enumerable.Range(0, layout.LayerCount).Select(l => new LayerSlot(l, l, LayerSlot.MergedOrigin, 1.0)).ToArray();
        return setup.Composer.Compose(new MergeCandidate(point.Method, groups, slots));
    }
}
