namespace EvoMerge.Evaluation;

/// <summary>One step of the YAML <c>normalize</c> list, applied in order to the extracted answer and the target.</summary>
public enum AnswerNormalization
{
    /// <summary><c>strip</c>: remove leading and trailing whitespace.</summary>
    Strip,

    /// <summary><c>lower</c>: lower-case (invariant culture).</summary>
    Lower,

    /// <summary><c>remove_punctuation</c>: remove ASCII punctuation (Python's <c>string.punctuation</c>, as HF evaluate's exact_match does).</summary>
    RemovePunctuation,

    /// <summary><c>remove_articles</c>: replace the lower-case words a, an, the with a space (SQuAD normalisation; put <c>lower</c> first).</summary>
    RemoveArticles,

    /// <summary><c>collapse_whitespace</c>: replace every run of whitespace with one space.</summary>
    CollapseWhitespace,

    /// <summary><c>remove_whitespace</c>: remove all whitespace.</summary>
    RemoveWhitespace,
}
