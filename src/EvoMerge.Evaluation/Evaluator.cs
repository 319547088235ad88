using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;

namespace EvoMerge.Evaluation;

/// <summary>
/// Scores a <see cref="DecoderModel"/> on loaded <see cref="EvalTask"/>s with lm-evaluation-harness semantics.
/// All log-likelihood requests of a task go to the decoder's batched scorer in one call; generation runs in
/// left-padded batches through the decoder's greedy generator. The evaluator holds no tensors between calls (the
/// decoder scopes its own), so memory stays flat however often it is called, for example once per merge candidate.
/// </summary>
public sealed class Evaluator
{
    private readonly DecoderModel _model;
    private readonly EvaluatorOptions _options;

    /// <summary>An evaluator of <paramref name="model"/> with its <paramref name="tokenizer"/>.</summary>
    public Evaluator(DecoderModel model, TextTokenizer tokenizer, EvaluatorOptions? options = null)
    {
        _model = model;
        _options = options ?? new EvaluatorOptions();
        if (_options.GenerationBatchSize <= 0) throw new ArgumentException($"generation batch size must be positive (got {_options.GenerationBatchSize})");
        Encoder = new RequestEncoder(tokenizer, _options.MaxLength ?? model.Config.MaxPositionEmbeddings);
    }

    /// <summary>How text becomes token requests for this model.</summary>
    public RequestEncoder Encoder { get; }

    /// <summary>Scores every task, in order. Task names must be distinct.</summary>
    public EvalResult Evaluate(IReadOnlyList<EvalTask> tasks)
    {
        var duplicate = tasks.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"task name '{duplicate.Key}' is used by more than one task ({string.Join(", ", duplicate.Select(t => t.Definition.SourceFile))})");
        return new EvalResult(tasks.Select(Evaluate).ToList());
    }

    /// <summary>Scores one task.</summary>
    public TaskResult Evaluate(EvalTask task)
    {
        var clock = Stopwatch.StartNew();
        var warnings = new List<string>();
        void Report(int done) => _options.Progress?.Report(new EvalProgress(task.Name, done, task.Documents.Count, clock.Elapsed));
        Report(0);
        var (metrics, records) = task.Kind switch
        {
            EvalTaskKind.MultipleChoice => ScoreMultipleChoice(task.Documents.Cast<MultipleChoiceDocument>().ToList()),
            EvalTaskKind.Generate => ScoreGeneration(task.Definition, task.Documents.Cast<GenerationDocument>().ToList(), warnings, Report),
            _ => ScorePerplexity(task.Documents.Cast<PerplexityDocument>().ToList()),
        };
        Report(task.Documents.Count);
        return new TaskResult(task.Name, task.Kind, task.Definition.SourceFile, metrics, records, clock.Elapsed) { Warnings = warnings };
    }

    /// <summary>
    /// Scores one task as <see cref="Evaluate(EvalTask)"/> does and computes its <see cref="TaskLoss"/>: from the
    /// records for multiple-choice and perplexity tasks; a generate task adds one batched log-likelihood call for
    /// its targets (teacher-forced, <c>target_delimiter</c> + target after the prompt).
    /// </summary>
    public ScoredTask EvaluateWithLoss(EvalTask task)
    {
        var result = Evaluate(task);
        var loss = task.Kind switch
        {
            EvalTaskKind.MultipleChoice => TaskLoss.OfMultipleChoice([.. result.Records.Cast<MultipleChoiceRecord>()]),
            EvalTaskKind.Generate => TaskLoss.OfTargets(TargetLogLikelihoods(task.Definition, [.. task.Documents.Cast<GenerationDocument>()])),
            _ => result.Metric(TaskLoss.WordPerplexity),
        };
        return new ScoredTask(result, loss);
    }

    private List<double> TargetLogLikelihoods(EvalTaskDefinition definition, IReadOnlyList<GenerationDocument> documents)
    {
        var requests = documents.Select(d => Encoder.Encode(d.Context, definition.TargetDelimiter + d.Target)).ToList();
        return [.. _model.LogLikelihood(requests, _options.Scoring).Select(s => s.LogLikelihood)];
    }

    private (List<MetricValue>, List<DocumentRecord>) ScoreMultipleChoice(IReadOnlyList<MultipleChoiceDocument> documents)
    {
        var requests = new List<LogLikelihoodRequest>();
        foreach (var document in documents)
            foreach (string choice in document.Choices)
                requests.Add(Encoder.Encode(document.Context, document.TargetDelimiter + choice));
        var scores = _model.LogLikelihood(requests, _options.Scoring);

        var records = new List<DocumentRecord>(documents.Count);
        int next = 0;
        foreach (var document in documents)
        {
            var lls = new double[document.Choices.Count];
            var greedy = new bool[document.Choices.Count];
            var normalized = new double[document.Choices.Count];
            for (int c = 0; c < lls.Length; c++, next++)
            {
                (lls[c], greedy[c]) = (scores[next].LogLikelihood, scores[next].IsGreedy);
                normalized[c] = lls[c] / CharacterLength(document.Choices[c]);
            }
            records.Add(new MultipleChoiceRecord(document.Index, lls, greedy, FirstArgmax(lls), FirstArgmax(normalized), document.Answer));
        }
        var typed = records.Cast<MultipleChoiceRecord>().ToList();
        return ([MeanMetric("acc", typed.Select(r => r.Correct)), MeanMetric("acc_norm", typed.Select(r => r.CorrectNormalized))], records);
    }

    /// <summary>
    /// Generates for every document. A prompt that does not fit before <c>max_new_tokens</c> in the model's context
    /// keeps its last tokens (lm-evaluation-harness's left truncation); one warning per task says how many were cut.
    /// </summary>
    /// <summary>
    /// The warning for <paramref name="truncated"/> of <paramref name="total"/> prompts of generate task
    /// <paramref name="definition"/> cut from the left to fit a context of <paramref name="contextLength"/> tokens; null when none is.
    /// </summary>
    public static string? TruncationWarning(EvalTaskDefinition definition, int truncated, int total, int contextLength) =>
        truncated == 0 ? null
            : $"{definition.SourceFile}: {truncated} of {total} prompts do not fit before max_new_tokens {definition.MaxNewTokens} in the model's context of "
              + $"{contextLength} tokens; each keeps its last {contextLength - definition.MaxNewTokens} tokens (truncated from the left, as lm-evaluation-harness does)";

    private (List<MetricValue>, List<DocumentRecord>) ScoreGeneration(EvalTaskDefinition definition, IReadOnlyList<GenerationDocument> documents, List<string> warnings, Action<int> documentsDone)
    {
        if (definition.MaxNewTokens >= Encoder.MaxLength)
            throw new EvalTaskFormatException(definition.SourceFile, null, "max_new_tokens",
                $"{definition.MaxNewTokens} leaves no room for a prompt in the model's context of {Encoder.MaxLength} tokens (lm-evaluation-harness refuses this too)");
        var encoded = documents.Select(d => Encoder.EncodeTruncatedPrompt(d.Context, definition.MaxNewTokens)).ToList();
        var prompts = encoded.Select(e => e.Tokens).ToList();
        if (TruncationWarning(definition, encoded.Count(e => e.Dropped > 0), documents.Count, Encoder.MaxLength) is { } warning) warnings.Add(warning);
        var generated = new IReadOnlyList<int>[documents.Count];
        var order = Enumerable.Range(0, documents.Count).OrderByDescending(i => prompts[i].Count).ToList();
        for (int start = 0; start < order.Count; start += _options.GenerationBatchSize)
        {
            var batch = order.GetRange(start, Math.Min(_options.GenerationBatchSize, order.Count - start));
            var outputs = _model.Generate(batch.Select(i => prompts[i]).ToList(), definition.MaxNewTokens, tokens => Encoder.ShouldStop(tokens, definition.Until));
            for (int j = 0; j < batch.Count; j++) generated[batch[j]] = outputs[j];
            if (start + batch.Count < order.Count) documentsDone(start + batch.Count);
        }

        var records = new List<DocumentRecord>(documents.Count);
        for (int i = 0; i < documents.Count; i++)
        {
            string text = CutAtStopStrings(Encoder.DecodeGenerated(generated[i]), definition.Until);
            string? extracted = Extract(text, definition.ExtractRegex);
            bool correct = extracted is not null
                && AnswerNormalizer.Apply(extracted, definition.Normalize) == AnswerNormalizer.Apply(documents[i].Target, definition.Normalize);
            records.Add(new GenerationRecord(documents[i].Index, text, extracted, documents[i].Target, correct));
        }
        return ([MeanMetric("exact_match", records.Cast<GenerationRecord>().Select(r => r.Correct))], records);
    }

    private (List<MetricValue>, List<DocumentRecord>) ScorePerplexity(IReadOnlyList<PerplexityDocument> documents)
    {
        var requests = new List<LogLikelihoodRequest>();
        var owners = new List<int>();
        var tokenCounts = new int[documents.Count];
        for (int i = 0; i < documents.Count; i++)
        {
            var tokens = Encoder.EncodeText(documents[i].Text);
            tokenCounts[i] = tokens.Count;
            foreach (var window in Encoder.RollingWindows(tokens))
            {
                requests.Add(window);
                owners.Add(i);
            }
        }
        var scores = _model.LogLikelihood(requests, _options.Scoring);
        var totals = new double[documents.Count];
        for (int r = 0; r < scores.Count; r++) totals[owners[r]] += scores[r].LogLikelihood;

        var records = documents.Select((d, i) => new PerplexityRecord(d.Index, totals[i], tokenCounts[i], CountWords(d.Text), Encoding.UTF8.GetByteCount(d.Text))).ToList();
        var negativeLls = records.Select(r => -r.LogLikelihood).ToList();
        int n = records.Count;
        var (perWord, perWordError) = MetricStatistics.Ratio(negativeLls, records.Select(r => (double)r.Words).ToList());
        var (perByte, perByteError) = MetricStatistics.Ratio(negativeLls, records.Select(r => (double)r.Bytes).ToList());
        return (
        [
            new MetricValue("word_perplexity", Math.Exp(perWord), Math.Exp(perWord) * perWordError, n, HigherIsBetter: false),
            new MetricValue("byte_perplexity", Math.Exp(perByte), Math.Exp(perByte) * perByteError, n, HigherIsBetter: false),
            new MetricValue("bits_per_byte", perByte / Math.Log(2), perByteError / Math.Log(2), n, HigherIsBetter: false),
        ], records.Cast<DocumentRecord>().ToList());
    }

    /// <summary>lm-eval's generate_until post-processing: <c>for term in until: s = s.split(term)[0]</c>.</summary>
    public static string CutAtStopStrings(string text, IReadOnlyList<string> until)
    {
        foreach (string stop in until)
        {
            if (stop.Length == 0) continue;
            int at = text.IndexOf(stop, StringComparison.Ordinal);
            if (at >= 0) text = text[..at];
        }
        return text;
    }

    /// <summary>The first capture group of the first match (the whole match when the regex has no groups), null for no match; no regex: the text.</summary>
    public static string? Extract(string text, Regex? regex)
    {
        if (regex is null) return text;
        var match = regex.Match(text);
        if (!match.Success) return null;
        return match.Groups.Count > 1 ? match.Groups[1].Value : match.Value;
    }

    /// <summary>lm-eval's word count for perplexity: <c>len(re.split(r"\s+", text))</c>.</summary>
    public static int CountWords(string text) => Regex.Split(text, @"\s+").Length;

    /// <summary>Python's <c>len</c> of a string: Unicode code points.</summary>
    public static int CharacterLength(string text)
    {
        int count = 0;
        foreach (var _ in text.EnumerateRunes()) count++;
        return count;
    }

    /// <summary>numpy's argmax: the first index of the largest value.</summary>
    private static int FirstArgmax(IReadOnlyList<double> values)
    {
        int best = 0;
        for (int i = 1; i < values.Count; i++)
            if (values[i] > values[best] || double.IsNaN(values[i]) && !double.IsNaN(values[best])) best = i;
        return best;
    }

    private static MetricValue MeanMetric(string name, IEnumerable<bool> outcomes)
    {
        var values = outcomes.Select(o => o ? 1.0 : 0.0).ToList();
        var (mean, error) = MetricStatistics.Mean(values);
        return new MetricValue(name, mean, error, values.Count, HigherIsBetter: true);
    }
}
