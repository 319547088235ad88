using System.Text.Json;
using EvoMerge.Inference;

namespace EvoMerge.Search.Scoring;

/// <summary>
/// A multiple-choice task over token ids (no tokenizer needed), used for tiny test models and the demo until the
/// evaluation project's Parquet tasks are wired in. Task YAML: <c>kind: token_choice</c>, <c>name</c>,
/// <c>split</c>, <c>data</c> (a JSON Lines file beside it; each line <c>{"context": [ids], "choices": [[ids], …],
/// "answer": k}</c>). Each choice is scored by the log-likelihood of its tokens after the context. Metrics (means over
/// items): <c>acc</c> (the answer has the highest log-likelihood; ties count as wrong) and <c>choice_logprob</c>
/// (log-softmax of the answer's log-likelihood over the choices).
/// </summary>
public sealed class TokenChoiceTask : ITaskScorer
{
    /// <summary>The <c>kind</c> this class reads.</summary>
    public const string Kind = "token_choice";

    private readonly TokenChoiceItem[] _items;
    private readonly int _batchTokenBudget;

    /// <summary>A task over items already in memory.</summary>
    public TokenChoiceTask(string name, string file, string split, IReadOnlyList<TokenChoiceItem> items, int batchTokenBudget = 4096)
    {
        Name = name;
        File = file;
        Split = split;
        _items = [.. items];
        _batchTokenBudget = batchTokenBudget;
    }

    public string Name { get; }

    public string File { get; }

    public string Split { get; }

    public int ItemCount => _items.Length;

    public IReadOnlyList<string> Metrics { get; } = ["acc", "choice_logprob"];

    public bool IsItemMean(string metric) => true;

    /// <summary>Reads the JSON Lines items of <paramref name="dataPath"/>; a bad line names the file, line and field.</summary>
    public static IReadOnlyList<TokenChoiceItem> ReadItems(string dataPath)
    {
        if (!System.IO.File.Exists(dataPath)) throw new FileNotFoundException($"{dataPath}: task data not found", dataPath);
        var items = new List<TokenChoiceItem>();
        int lineNumber = 0;
        foreach (string line in System.IO.File.ReadLines(dataPath))
        {
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            TokenChoiceItem? item;
            try
            {
                item = JsonSerializer.Deserialize<TokenChoiceItem>(line, Json);
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{dataPath}:{lineNumber}: not a token_choice item ({e.Message.Split(". Path:")[0]})");
            }
            if (item is null || item.Context is null || item.Choices is null) throw new InvalidDataException($"{dataPath}:{lineNumber}: context and choices are required");
            if (item.Context.Length == 0) throw new InvalidDataException($"{dataPath}:{lineNumber}: context: must not be empty");
            if (item.Choices.Length < 2 || item.Choices.Any(c => c is null || c.Length == 0))
                throw new InvalidDataException($"{dataPath}:{lineNumber}: choices: needs at least two non-empty choices");
            if (item.Answer < 0 || item.Answer >= item.Choices.Length)
                throw new InvalidDataException($"{dataPath}:{lineNumber}: answer: {item.Answer} is not a choice index");
            items.Add(item);
        }
        if (items.Count == 0) throw new InvalidDataException($"{dataPath}: the task has no items");
        return items;
    }

    /// <summary>Writes items as JSON Lines (test fixtures, demo data).</summary>
    public static void WriteItems(string dataPath, IEnumerable<TokenChoiceItem> items) =>
        System.IO.File.WriteAllLines(dataPath, items.Select(i => JsonSerializer.Serialize(i, Json)));

    public IReadOnlyDictionary<string, double[]> ScoreItems(DecoderModel model, IReadOnlyList<int> items)
    {
        var requests = new List<LogLikelihoodRequest>();
        foreach (int index in items)
        {
            var item = _items[index];
            foreach (var choice in item.Choices) requests.Add(new LogLikelihoodRequest(item.Context, choice));
        }
        var results = model.LogLikelihood(requests, new LogLikelihoodOptions { TokenBudget = _batchTokenBudget });
        var accuracy = new double[items.Count];
        var logprob = new double[items.Count];
        int next = 0;
        for (int i = 0; i < items.Count; i++)
        {
            var item = _items[items[i]];
            var lls = new double[item.Choices.Length];
            for (int c = 0; c < lls.Length; c++) lls[c] = results[next++].LogLikelihood;
            double max = lls.Max();
            double logSum = max + Math.Log(lls.Sum(l => Math.Exp(l - max)));
            logprob[i] = lls[item.Answer] - logSum;
            accuracy[i] = lls[item.Answer] == max && lls.Count(l => l == max) == 1 ? 1.0 : 0.0;
        }
        return new Dictionary<string, double[]>(StringComparer.Ordinal) { ["acc"] = accuracy, ["choice_logprob"] = logprob };
    }

    /// <summary>Context plus continuation tokens of every choice of <paramref name="items"/>.</summary>
    public long TokensOf(IReadOnlyList<int> items)
    {
        long tokens = 0;
        foreach (int index in items)
        {
            var item = _items[index];
            foreach (var choice in item.Choices) tokens += item.Context.Length + choice.Length;
        }
        return tokens;
    }

    public double Aggregate(string metric, IReadOnlyList<double> itemValues) => itemValues.Count == 0 ? double.NaN : itemValues.Average();

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}
