namespace EvoMerge.Evaluation;

/// <summary>
/// A scored generate document: the generated text (cut at the first stop string), the answer extracted from it
/// (null when the extraction regex did not match), the target, and whether the normalised answer equals the
/// normalised target (exact_match).
/// </summary>
public sealed record GenerationRecord(int DocIndex, string Generated, string? Extracted, string Target, bool Correct) : DocumentRecord(DocIndex);
