namespace EvoMerge.Search.Configuration;

/// <summary>The data-flow (layer ordering) part of the genome: T = Repeats × L slots, each kept layer's input scaled within <see cref="Scale"/>.</summary>
public sealed record LayerOrderingConfig(int Repeats, GeneRange Scale);
