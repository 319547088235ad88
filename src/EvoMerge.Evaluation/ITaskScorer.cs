using EvoMerge.Inference;

namespace EvoMerge.Evaluation;

/// <summary>
/// One eval task as the search sees it: a fixed list of items, each scored on its own, and metrics that aggregate
/// per-item values. The search asks for any subset of items (cheap-first scoring scores a random subset first, racing a random order in rounds) and
/// keeps every per-item value, so candidates can be compared item by item.
/// </summary>
public interface ITaskScorer
{
    /// <summary>The task's name.</summary>
    string Name { get; }

    /// <summary>The task file (full path).</summary>
    string File { get; }

    /// <summary>The dataset split the items come from (the split's name, or the data file's name without one).</summary>
    string Split { get; }

    /// <summary>True when the items are a test split (refused as an objective or constraint unless allowed).</summary>
    bool IsTestSplit { get; }

    /// <summary>The split few-shot examples are drawn from when that is another file than the items' (its split's name, or the file's name without one); null otherwise.</summary>
    string? FewshotSplit { get; }

    /// <summary>True when <see cref="FewshotSplit"/> is a test split (refused in a search unless allowed, like the items).</summary>
    bool FewshotIsTestSplit { get; }

    /// <summary>
    /// Warnings that hold for every model with a context of <paramref name="contextLength"/> tokens (prompts a generate
    /// task must truncate from the left); the search logs them once when it starts. None by default.
    /// </summary>
    IReadOnlyList<string> ContextWarnings(int contextLength) => [];

    /// <summary>Number of items.</summary>
    int ItemCount { get; }

    /// <summary>The metrics the task reports.</summary>
    IReadOnlyList<string> Metrics { get; }

    /// <summary>True when <paramref name="metric"/> is the mean of its per-item values (cheap-first scoring and racing need that).</summary>
    bool IsItemMean(string metric);

    /// <summary>True when larger values of <paramref name="metric"/> are better (an objective's default direction).</summary>
    bool HigherIsBetter(string metric);

    /// <summary>Per-item values of every metric for <paramref name="items"/> (indices into the task), in that order.</summary>
    IReadOnlyDictionary<string, double[]> ScoreItems(DecoderModel model, IReadOnlyList<int> items);

    /// <summary>Tokens the model reads to score <paramref name="items"/> (0 where the task does not count them), for throughput reports.</summary>
    long TokensOf(IReadOnlyList<int> items) => 0;

    /// <summary>The metric's value from per-item values of all items.</summary>
    double Aggregate(string metric, IReadOnlyList<double> itemValues);
}
