namespace EvoMerge.Merging.Recipes;

/// <summary>A source's <c>layer_range: [Start, End)</c> (end exclusive; an empty range is allowed).</summary>
public readonly record struct LayerRange(int Start, int End)
{
    /// <summary>Number of layers in the range.</summary>
    public int Length => End - Start;

    /// <inheritdoc />
    public override string ToString() => $"[{Start}, {End})";
}
