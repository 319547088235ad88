namespace EvoMerge.Evaluation;

/// <summary>A generate document: the full context (few-shot examples included) and the expected answer.</summary>
public sealed record GenerationDocument(int Index, string Context, string Target) : EvalDocument(Index);
