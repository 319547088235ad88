namespace EvoMerge.Evaluation;

/// <summary>
/// A multiple-choice document: the full context (few-shot examples included), the choices and the index of the
/// correct one. Each choice is scored as the continuation <see cref="TargetDelimiter"/> + choice.
/// </summary>
public sealed record MultipleChoiceDocument(int Index, string Context, IReadOnlyList<string> Choices, int Answer, string TargetDelimiter)
    : EvalDocument(Index);
