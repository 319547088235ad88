namespace EvoMerge.Search.Genomes;

/// <summary>
/// A kept layer slot of the data-flow space: slot index (its place in the layer sequence), the layer it holds
/// (slot mod L), where that layer comes from (<see cref="MergedOrigin"/> or a source model index) and the factor
/// its input is scaled by.
/// </summary>
public sealed record LayerSlot(int Slot, int Layer, int Origin, double InputScale)
{
    /// <summary><see cref="Origin"/> of a layer taken from the parameter-space merge.</summary>
    public const int MergedOrigin = -1;
}
