namespace EvoMerge.Merging.Vocabulary;

/// <summary>Where a merge's output vocabulary comes from.</summary>
public enum VocabularySourceKind
{
    /// <summary>The base model's (else the first model's) vocabulary, tokens at or past its config's vocab_size dropped.</summary>
    Base,

    /// <summary>One named model's vocabulary, unchanged.</summary>
    Model,

    /// <summary>The base vocabulary plus every other model's tokens, appended as added tokens.</summary>
    Union,
}
