namespace EvoMerge.Evaluation;

/// <summary>
/// Draws each document's few-shot examples: <c>num_fewshot</c> distinct rows of the few-shot source, drawn with
/// a generator seeded by (<c>fewshot_seed</c>, document row), so a document's examples do not depend on the
/// limit or on the other documents. When the source is the scored file, the document's own row is never drawn.
/// Examples are joined by <c>fewshot_delimiter</c>, and the delimiter also separates them from the document
/// (lm-eval's <c>fewshot_context</c>). Row order of the draw is kept; lm-eval's Python RNG draw is not reproduced.
/// </summary>
internal sealed class FewShotSampler
{
    private readonly EvalTaskDefinition _definition;
    private readonly ParquetTable _source;
    private readonly bool _excludeSameRow;

    public FewShotSampler(EvalTaskDefinition definition, ParquetTable source, bool excludeSameRow)
    {
        _definition = definition;
        _source = source;
        _excludeSameRow = excludeSameRow;
        int available = source.RowCount - (excludeSameRow ? 1 : 0);
        if (definition.NumFewshot > available)
            throw new EvalTaskFormatException(definition.SourceFile, definition.LineOf("num_fewshot"), "num_fewshot",
                $"asks for {definition.NumFewshot} examples but {source.File} offers {available}{(excludeSameRow ? " (besides the document itself)" : "")}");
    }

    /// <summary>The examples for the document at <paramref name="row"/>, each followed by the few-shot delimiter.</summary>
    public string Examples(int row, DocumentRenderer renderer)
    {
        var random = SeededRandom.For(_definition.FewshotSeed, row);
        int bound = _source.RowCount - (_excludeSameRow ? 1 : 0);
        var picks = random.Sample(bound, _definition.NumFewshot);
        var examples = picks.Select(p => _excludeSameRow && p >= row ? p + 1 : p).Select(p => renderer.Example(_source, p));
        return string.Join(_definition.FewshotDelimiter, examples) + _definition.FewshotDelimiter;
    }
}
