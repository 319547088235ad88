namespace EvoMerge.Plots;

/// <summary>One objective as a front plot's axis: its name, what it measures ("acc, higher is better") and its direction.</summary>
public sealed record FrontAxis(string Name, string Description, bool Maximize)
{
    /// <summary>The axis label: name and description.</summary>
    public string Label => $"{Name} ({Description})";
}
