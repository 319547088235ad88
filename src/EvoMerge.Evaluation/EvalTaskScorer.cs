using System.Text;
using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;

namespace EvoMerge.Evaluation;

/// <summary>
/// An <see cref="ITaskScorer"/> over an evaluation-project <see cref="EvalTask"/>, scored by <see cref="Evaluator"/>
/// with lm-eval semantics. Items are the task's documents; a subset is scored through
/// <see cref="EvalTask.WithDocuments"/>. Per-item values: multiple choice <c>acc</c> / <c>acc_norm</c> and generate
/// <c>exact_match</c> are 1 or 0 (the metrics are their means); perplexity metrics (<c>word_perplexity</c>,
/// <c>byte_perplexity</c>, <c>bits_per_byte</c>) keep each document's log-likelihood and aggregate over words or
/// bytes, so they are not item means. One evaluator is kept per model instance, so a materialiser that rebuilds
/// weights in place reuses it across candidates.
/// </summary>
public sealed class EvalTaskScorer : ITaskScorer
{
    private readonly EvalTask _task;
    private readonly TextTokenizer _tokenizer;
    private readonly EvaluatorOptions _options;
    private readonly double[] _words;
    private readonly double[] _bytes;
    private readonly long[] _tokens;
    private DecoderModel? _evaluatedModel;
    private Evaluator? _evaluator;

    /// <summary>A scorer of <paramref name="task"/> whose text <paramref name="tokenizer"/> encodes.</summary>
    public EvalTaskScorer(EvalTask task, TextTokenizer tokenizer, EvaluatorOptions? options = null)
    {
        _task = task;
        _tokenizer = tokenizer;
        _options = options ?? new EvaluatorOptions();
        if (task.Documents.Count == 0) throw new InvalidDataException($"{task.Definition.SourceFile}: the task has no documents");
        var texts = task.Documents.Select(d => d is PerplexityDocument p ? p.Text : "").ToArray();
        _words = texts.Select(t => (double)Evaluator.CountWords(t)).ToArray();
        _bytes = texts.Select(t => (double)Encoding.UTF8.GetByteCount(t)).ToArray();
        _tokens = task.Documents.Select(TokensRead).ToArray();
        Metrics = task.Kind switch
        {
            EvalTaskKind.MultipleChoice => ["acc", "acc_norm"],
            EvalTaskKind.Generate => ["exact_match"],
            _ => ["word_perplexity", "byte_perplexity", "bits_per_byte"],
        };
        var definition = task.Definition;
        Split = definition.Split ?? Path.GetFileNameWithoutExtension(definition.DataFile);
        IsTestSplit = definition.Split is { } split
            ? split.Equals("test", StringComparison.OrdinalIgnoreCase)
            : Path.GetFileName(definition.DataFile).Contains("test", StringComparison.OrdinalIgnoreCase);
        if (definition.NumFewshot > 0 && definition.FewshotDataFile != definition.DataFile)
        {
            string? named = definition.Splits.FirstOrDefault(s => s.Value == definition.FewshotDataFile).Key;
            FewshotSplit = named ?? Path.GetFileNameWithoutExtension(definition.FewshotDataFile);
            FewshotIsTestSplit = named is not null
                ? named.Equals("test", StringComparison.OrdinalIgnoreCase)
                : Path.GetFileName(definition.FewshotDataFile).Contains("test", StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>
    /// Tokens the model reads for one document, counted once when the task is loaded: every choice's full sequence
    /// for multiple choice, the prompt for generation (generated tokens are not counted), the text for perplexity.
    /// </summary>
    private long TokensRead(EvalDocument document) => document switch
    {
        MultipleChoiceDocument mc => mc.Choices.Sum(c => (long)_tokenizer.Encode(mc.Context + mc.TargetDelimiter + c, addSpecialTokens: false).Count),
        GenerationDocument g => _tokenizer.Encode(g.Context, addSpecialTokens: false).Count,
        PerplexityDocument p => _tokenizer.Encode(p.Text, addSpecialTokens: false).Count,
        _ => 0,
    };

    public long TokensOf(IReadOnlyList<int> items) => items.Sum(i => _tokens[i]);

    /// <summary>Loads the task YAML at <paramref name="path"/> (all its documents, or its <c>limit</c>).</summary>
    public static EvalTaskScorer Open(string path, TextTokenizer tokenizer, int batchTokenBudget = 4096)
    {
        if (!System.IO.File.Exists(path)) throw new FileNotFoundException($"{path}: task file not found", path);
        return new EvalTaskScorer(EvalTask.Load(path), tokenizer, new EvaluatorOptions { Scoring = new LogLikelihoodOptions { TokenBudget = batchTokenBudget } });
    }

    /// <summary>The loaded task.</summary>
    public EvalTask Task => _task;

    public string Name => _task.Name;

    public string File => Path.GetFullPath(_task.Definition.SourceFile);

    public string Split { get; }

    public bool IsTestSplit { get; }

    public string? FewshotSplit { get; }

    public bool FewshotIsTestSplit { get; }

    public int ItemCount => _task.Documents.Count;

    public IReadOnlyList<string> Metrics { get; }

    public bool IsItemMean(string metric) => _task.Kind != EvalTaskKind.Perplexity;

    public bool HigherIsBetter(string metric) => _task.Kind != EvalTaskKind.Perplexity;

    public IReadOnlyList<string> ContextWarnings(int contextLength)
    {
        if (_task.Kind != EvalTaskKind.Generate) return [];
        var encoder = new RequestEncoder(_tokenizer, _options.MaxLength ?? contextLength);
        if (_task.Definition.MaxNewTokens >= encoder.MaxLength) return [];
        int truncated = _task.Documents.Cast<GenerationDocument>().Count(d => encoder.EncodeTruncatedPrompt(d.Context, _task.Definition.MaxNewTokens).Dropped > 0);
        return Evaluator.TruncationWarning(_task.Definition, truncated, _task.Documents.Count, encoder.MaxLength) is { } warning ? [warning] : [];
    }

    public IReadOnlyDictionary<string, double[]> ScoreItems(DecoderModel model, IReadOnlyList<int> items)
    {
        var result = Evaluate(model, items);
        var values = Metrics.ToDictionary(m => m, _ => new double[items.Count], StringComparer.Ordinal);
        for (int i = 0; i < items.Count; i++)
        {
            switch (result.Records[i])
            {
                case MultipleChoiceRecord choice:
                    values["acc"][i] = choice.Correct ? 1.0 : 0.0;
                    values["acc_norm"][i] = choice.CorrectNormalized ? 1.0 : 0.0;
                    break;
                case GenerationRecord generation:
                    values["exact_match"][i] = generation.Correct ? 1.0 : 0.0;
                    break;
                case PerplexityRecord perplexity:
                    foreach (var metric in values.Values) metric[i] = perplexity.LogLikelihood;
                    break;
            }
        }
        return values;
    }

    /// <summary>Scores the documents <paramref name="items"/> (indices into the task) and returns the evaluator's result.</summary>
    public TaskResult Evaluate(DecoderModel model, IReadOnlyList<int> items)
    {
        if (!ReferenceEquals(model, _evaluatedModel) || _evaluator is null)
        {
            _evaluator = new Evaluator(model, _tokenizer, _options);
            _evaluatedModel = model;
        }
        bool all = items.Count == ItemCount && items.Select((item, i) => item == i).All(same => same);
        var result = _evaluator.Evaluate(all ? _task : _task.WithDocuments(items));
        if (result.Records.Count != items.Count)
            throw new InvalidOperationException($"task '{Name}': {items.Count} documents scored, {result.Records.Count} records returned");
        return result;
    }

    /// <summary>
    /// Item means through <see cref="MetricStatistics.Mean"/>; perplexity metrics as the ratio of summed negative
    /// log-likelihoods to summed words or bytes (<see cref="MetricStatistics.Ratio"/>), as <see cref="Evaluator"/> reports them.
    /// </summary>
    public double Aggregate(string metric, IReadOnlyList<double> itemValues)
    {
        if (itemValues.Count == 0) return double.NaN;
        if (IsItemMean(metric)) return MetricStatistics.Mean(itemValues).Mean;
        if (itemValues.Count != ItemCount) throw new ArgumentException($"task '{Name}': {metric} aggregates all {ItemCount} documents, got {itemValues.Count} values");
        var negativeLogLikelihoods = itemValues.Select(v => -v).ToArray();
        return metric switch
        {
            "word_perplexity" => Math.Exp(MetricStatistics.Ratio(negativeLogLikelihoods, _words).Ratio),
            "byte_perplexity" => Math.Exp(MetricStatistics.Ratio(negativeLogLikelihoods, _bytes).Ratio),
            "bits_per_byte" => MetricStatistics.Ratio(negativeLogLikelihoods, _bytes).Ratio / Math.Log(2),
            _ => throw new ArgumentException($"task '{Name}' has no metric '{metric}' (metrics: {string.Join(", ", Metrics)})"),
        };
    }
}
