using System.Text.Json.Serialization;

namespace EvoMerge.Search.Runs;

/// <summary>
/// <c>run.json</c>: the directory the config's relative paths resolve against and the seeds derived from the config's
/// seed (optimizer, cheap-first screening and racing, merge methods), recorded so every random choice of the run is traceable;
/// the fingerprints of the run's inputs (<see cref="RunInputs"/>; null in runs started before they were recorded)
/// and the changes accepted on resume, if any.
/// </summary>
public sealed record RunInfo(string ConfigFile, string ConfigDirectory, ulong Seed, ulong OptimizerSeed, ulong ScreeningSeed, ulong MergeSeed,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<InputFingerprint>? Inputs = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<AcceptedInputChanges>? AcceptedChanges = null);
