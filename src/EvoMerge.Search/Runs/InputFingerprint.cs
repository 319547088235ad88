namespace EvoMerge.Search.Runs;

/// <summary>
/// One input of a run as it was when the run started (or when changes were last accepted): what it is
/// (<see cref="RunInputs"/>' kinds), its path (relative ones are inside the run directory) and the SHA-256 of its
/// bytes (of a safetensors file: its header and size only).
/// </summary>
public sealed record InputFingerprint(string Kind, string Path, string Sha256);
