namespace EvoMerge.Search.Configuration;

/// <summary>A mergekit-evolve config converted by <see cref="EvolveConfigConverter"/>: the EvoMerge search config's text and one line per key that had no equivalent.</summary>
/// <param name="Text">The search config (YAML), paths relative to the directory it was converted for.</param>
/// <param name="Warnings">"FILE:LINE: KEY: what happened to it", one per key.</param>
public sealed record EvolveConversion(string Text, IReadOnlyList<string> Warnings);
