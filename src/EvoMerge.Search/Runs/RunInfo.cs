namespace EvoMerge.Search.Runs;

/// <summary>
/// <c>run.json</c>: the directory the config's relative paths resolve against and the seeds derived from the config's
/// seed (optimizer, cheap-first screening, merge methods), recorded so every random choice of the run is traceable.
/// </summary>
public sealed record RunInfo(string ConfigFile, string ConfigDirectory, ulong Seed, ulong OptimizerSeed, ulong ScreeningSeed, ulong MergeSeed);
