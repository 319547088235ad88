namespace EvoMerge.Inference.Tokenization;

/// <summary>How a <see cref="TextTokenizer"/> encodes and decodes: from tokenizer.json or from a SentencePiece tokenizer.model.</summary>
internal interface ITokenizerPipeline
{
    /// <summary>One past the highest token id the tokenizer knows (vocabulary and added tokens).</summary>
    int VocabSize { get; }

    /// <summary>Ids the tokenizer file itself puts before and after a text when special tokens are added.</summary>
    IReadOnlyList<int> SpecialPrefix { get; }

    IReadOnlyList<int> SpecialSuffix { get; }

    /// <summary>The id of a token string (vocabulary entry or added token), or null.</summary>
    int? IdOf(string token);

    /// <summary>Appends the ids of <paramref name="text"/>, without BOS/EOS.</summary>
    void Encode(string text, List<int> ids);

    string Decode(IEnumerable<int> ids);
}
