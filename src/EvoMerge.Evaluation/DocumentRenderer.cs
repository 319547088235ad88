namespace EvoMerge.Evaluation;

/// <summary>
/// Turns Parquet rows into a task's documents and few-shot examples: the prompt (lm-eval's <c>doc_to_text</c>),
/// the answer text (<c>doc_to_target</c>), and a solved example (prompt + target delimiter + answer).
/// </summary>
internal sealed class DocumentRenderer(EvalTaskDefinition definition)
{
    /// <summary>The document at <paramref name="row"/>, its context starting with <paramref name="prefix"/>.</summary>
    public EvalDocument Document(ParquetTable table, int row, string prefix) => definition.Kind switch
    {
        EvalTaskKind.MultipleChoice => new MultipleChoiceDocument(row, prefix + Prompt(table, row), Choices(table, row), Answer(table, row), definition.TargetDelimiter),
        EvalTaskKind.Generate => new GenerationDocument(row, prefix + Prompt(table, row), table.Text(definition.TargetColumn!, row)),
        _ => new PerplexityDocument(row, table.Text(definition.TextColumn!, row)),
    };

    /// <summary>A solved example: the prompt, the target delimiter and the correct answer.</summary>
    public string Example(ParquetTable table, int row) => Prompt(table, row) + definition.TargetDelimiter + Target(table, row);

    private string Prompt(ParquetTable table, int row) => definition.Prompt!.Render(column => table.Text(column, row));

    private string Target(ParquetTable table, int row) =>
        definition.Kind == EvalTaskKind.MultipleChoice ? Choices(table, row)[Answer(table, row)] : table.Text(definition.TargetColumn!, row);

    private IReadOnlyList<string> Choices(ParquetTable table, int row)
    {
        if (definition.Choices is { } fixedChoices) return fixedChoices;
        var choices = table.StringList(definition.ChoicesColumn!, row);
        return choices.Count > 0 ? choices
            : throw new EvalTaskFormatException(table.File, null, $"column '{definition.ChoicesColumn}' (choices_column)", $"row {row} has no choices");
    }

    private int Answer(ParquetTable table, int row)
    {
        long answer = table.Integer(definition.AnswerColumn!, row);
        int choices = Choices(table, row).Count;
        return answer >= 0 && answer < choices ? (int)answer
            : throw new EvalTaskFormatException(table.File, null, $"column '{definition.AnswerColumn}' (answer_column)",
                $"row {row} holds {answer}, not a choice index (0 … {choices - 1})");
    }
}
