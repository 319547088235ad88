namespace EvoMerge.Evaluation;

/// <summary>
/// A task loaded for scoring: its <see cref="EvalTaskDefinition"/> and its documents, each with the full context
/// already rendered (few-shot examples, then the document's prompt, lm-eval style).
/// </summary>
public sealed class EvalTask
{
    private EvalTask(EvalTaskDefinition definition, IReadOnlyList<EvalDocument> documents, int availableDocuments)
    {
        Definition = definition;
        Documents = documents;
        AvailableDocuments = availableDocuments;
    }

    /// <summary>The task's YAML description.</summary>
    public EvalTaskDefinition Definition { get; }

    /// <summary>The task's name.</summary>
    public string Name => Definition.Name;

    /// <summary>How the task is scored.</summary>
    public EvalTaskKind Kind => Definition.Kind;

    /// <summary>The documents to score (the first <c>limit</c> rows when a limit applies).</summary>
    public IReadOnlyList<EvalDocument> Documents { get; }

    /// <summary>Rows in the scored Parquet file, before any limit.</summary>
    public int AvailableDocuments { get; }

    /// <summary>
    /// The same task over a subset of its documents, in the order given (<paramref name="indices"/> index
    /// <see cref="Documents"/>); documents keep their rendered context and row index, so scoring a subset gives the
    /// same per-document records as scoring the whole task.
    /// </summary>
    public EvalTask WithDocuments(IReadOnlyList<int> indices)
    {
        var documents = new EvalDocument[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            int index = indices[i];
            if (index < 0 || index >= Documents.Count)
                throw new ArgumentOutOfRangeException(nameof(indices), index, $"task '{Name}' has {Documents.Count} documents");
            documents[i] = Documents[index];
        }
        return new EvalTask(Definition, documents, AvailableDocuments);
    }

    /// <summary>Reads the YAML file and its Parquet data; see <see cref="LoadAsync(EvalTaskDefinition, int?, CancellationToken)"/>.</summary>
    public static EvalTask Load(string yamlPath, int? limit = null) =>
        LoadAsync(EvalTaskDefinition.Read(yamlPath), limit).GetAwaiter().GetResult();

    /// <summary>Reads the YAML file and its Parquet data; see <see cref="LoadAsync(EvalTaskDefinition, int?, CancellationToken)"/>.</summary>
    public static Task<EvalTask> LoadAsync(string yamlPath, int? limit = null, CancellationToken cancellation = default) =>
        LoadAsync(EvalTaskDefinition.Read(yamlPath), limit, cancellation);

    /// <summary>
    /// Reads the Parquet data of <paramref name="definition"/>, checks it against the task, and renders the
    /// documents. <paramref name="limit"/> (when given) overrides the YAML's <c>limit</c>.
    /// </summary>
    public static async Task<EvalTask> LoadAsync(EvalTaskDefinition definition, int? limit = null, CancellationToken cancellation = default)
    {
        if (limit is <= 0) throw new ArgumentException($"limit must be positive (got {limit})");
        var columns = RequiredColumns(definition);
        var data = await ParquetTable.ReadAsync(definition.DataFile, columns, cancellation).ConfigureAwait(false);
        bool separateFewshot = definition.NumFewshot > 0 && definition.FewshotDataFile != definition.DataFile;
        var fewshot = separateFewshot ? await ParquetTable.ReadAsync(definition.FewshotDataFile, columns, cancellation).ConfigureAwait(false) : data;

        var renderer = new DocumentRenderer(definition);
        int count = Math.Min(data.RowCount, limit ?? definition.Limit ?? int.MaxValue);
        var sampler = definition.NumFewshot > 0 ? new FewShotSampler(definition, fewshot, excludeSameRow: !separateFewshot) : null;
        var documents = new EvalDocument[count];
        for (int row = 0; row < count; row++)
        {
            string prefix = sampler is null ? "" : sampler.Examples(row, renderer);
            documents[row] = renderer.Document(data, row, prefix);
        }
        return new EvalTask(definition, documents, data.RowCount);
    }

    /// <summary>The columns a task reads, with the YAML key that names each.</summary>
    public static IReadOnlyList<ParquetColumnRequirement> RequiredColumns(EvalTaskDefinition definition)
    {
        var columns = new List<ParquetColumnRequirement>();
        if (definition.Prompt is { } prompt)
            columns.AddRange(prompt.Columns.Select(c => new ParquetColumnRequirement(c, ParquetColumnType.Text, "prompt")));
        if (definition.ChoicesColumn is { } choices) columns.Add(new(choices, ParquetColumnType.StringList, "choices_column"));
        if (definition.AnswerColumn is { } answer) columns.Add(new(answer, ParquetColumnType.Integer, "answer_column"));
        if (definition.TargetColumn is { } target) columns.Add(new(target, ParquetColumnType.Text, "target_column"));
        if (definition.TextColumn is { } text) columns.Add(new(text, ParquetColumnType.String, "text_column"));
        return columns;
    }
}
