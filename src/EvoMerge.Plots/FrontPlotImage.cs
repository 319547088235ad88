namespace EvoMerge.Plots;

/// <summary>A rendered front plot: the PNG bytes, its title, and where each scatter panel lies in it.</summary>
public sealed record FrontPlotImage(byte[] Png, int Width, int Height, string Title, IReadOnlyList<FrontPlotPanel> Panels);
