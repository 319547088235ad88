namespace EvoMerge.Evaluation;

/// <summary>
/// A task's loss, the value the basin verdict of <c>evomerge analyze</c> walks (docs/analyze.md): multiple choice:
/// <c>gold_nll</c>, the mean over documents of the gold choice's negative log-likelihood −ll[answer] (nats, summed
/// over the choice's tokens, as <c>acc</c> scores it); generate: <c>target_nll</c>, the mean over documents of the
/// target's negative log-likelihood after the prompt, teacher-forced (context = the prompt, continuation =
/// <c>target_delimiter</c> + target, encoded as a multiple-choice continuation is); perplexity: the task's
/// <c>word_perplexity</c>. Standard errors are the sample standard error of the mean over documents
/// (<see cref="MetricStatistics.Mean"/>; the delta-method error for word perplexity). Lower is better.
/// </summary>
public static class TaskLoss
{
    /// <summary>The multiple-choice loss's name.</summary>
    public const string GoldNll = "gold_nll";

    /// <summary>The generate loss's name.</summary>
    public const string TargetNll = "target_nll";

    /// <summary>The perplexity loss's name (the task's own metric).</summary>
    public const string WordPerplexity = "word_perplexity";

    /// <summary><c>gold_nll</c> of scored multiple-choice documents.</summary>
    public static MetricValue OfMultipleChoice(IReadOnlyList<MultipleChoiceRecord> records) =>
        Mean(GoldNll, [.. records.Select(r => -r.LogLikelihoods[r.Answer])]);

    /// <summary><c>target_nll</c> from each document's target log-likelihood.</summary>
    public static MetricValue OfTargets(IReadOnlyList<double> targetLogLikelihoods) =>
        Mean(TargetNll, [.. targetLogLikelihoods.Select(ll => -ll)]);

    /// <summary>What a loss measures, for axis labels and reports.</summary>
    public static string Describe(string loss) => loss switch
    {
        GoldNll => "gold_nll: mean −ln p(gold choice | context), nats",
        TargetNll => "target_nll: mean −ln p(target | prompt), nats",
        WordPerplexity => "word_perplexity: exp(Σ −ln p / Σ words)",
        _ => loss,
    };

    private static MetricValue Mean(string name, IReadOnlyList<double> values)
    {
        var (mean, error) = MetricStatistics.Mean(values);
        return new MetricValue(name, mean, error, values.Count, HigherIsBetter: false);
    }
}
