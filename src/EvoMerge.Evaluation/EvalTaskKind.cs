namespace EvoMerge.Evaluation;

/// <summary>What an eval task asks of the model and how it is scored (the YAML <c>kind</c>).</summary>
public enum EvalTaskKind
{
    /// <summary><c>multiple_choice</c>: the log-likelihood of each choice after the prompt; metrics acc and acc_norm.</summary>
    MultipleChoice,

    /// <summary><c>generate</c>: greedy generation until a stop string; metric exact_match.</summary>
    Generate,

    /// <summary><c>perplexity</c>: rolling log-likelihood of a text; metrics word_perplexity, byte_perplexity, bits_per_byte.</summary>
    Perplexity,
}
