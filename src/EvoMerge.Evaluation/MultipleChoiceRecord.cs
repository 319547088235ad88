namespace EvoMerge.Evaluation;

/// <summary>
/// A scored multiple-choice document: per choice the natural-log likelihood of its continuation (summed over its
/// tokens) and whether every continuation token was the argmax; the prediction (first argmax of the
/// log-likelihoods), the length-normalised prediction (first argmax of log-likelihood / characters of the choice,
/// lm-eval's acc_norm), and the correct index.
/// </summary>
public sealed record MultipleChoiceRecord(
    int DocIndex, IReadOnlyList<double> LogLikelihoods, IReadOnlyList<bool> IsGreedy, int Prediction, int NormalizedPrediction, int Answer)
    : DocumentRecord(DocIndex)
{
    /// <summary>acc for this document.</summary>
    public bool Correct => Prediction == Answer;

    /// <summary>acc_norm for this document.</summary>
    public bool CorrectNormalized => NormalizedPrediction == Answer;
}
