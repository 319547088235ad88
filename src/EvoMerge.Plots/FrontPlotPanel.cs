namespace EvoMerge.Plots;

/// <summary>
/// One scatter panel of a rendered front plot: which objective is on each axis, the pixel rectangle of its data area
/// in the image (y grows downwards), and the axis limits mapped onto that rectangle's edges (XMin at Left, YMin at Bottom).
/// </summary>
public sealed record FrontPlotPanel(
    int XObjective,
    int YObjective,
    float Left,
    float Top,
    float Right,
    float Bottom,
    double XMin,
    double XMax,
    double YMin,
    double YMax);
