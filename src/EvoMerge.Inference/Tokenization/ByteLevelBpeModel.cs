using Microsoft.ML.Tokenizers;

namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// Byte-level BPE (GPT-2, Llama-3, Qwen2/3) through Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>, fed one
/// pre-tokenized word at a time. With <c>ignore_merges</c> (Llama-3) a word that is itself in the vocabulary is one
/// token, as in HuggingFace tokenizers.
/// </summary>
internal sealed class ByteLevelBpeModel : ITokenModel
{
    private readonly BpeTokenizer bpe;
    private readonly IReadOnlyDictionary<string, int> vocabulary;
    private readonly bool ignoreMerges;

    public ByteLevelBpeModel(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> merges,
        bool ignoreMerges, string? continuingSubwordPrefix, string? endOfWordSuffix)
    {
        this.vocabulary = vocabulary;
        this.ignoreMerges = ignoreMerges;
        bpe = BpeTokenizer.Create(new BpeOptions(vocabulary)
        {
            Merges = merges.Select(m => m.Left + " " + m.Right),
            ByteLevel = true,
            ContinuingSubwordPrefix = continuingSubwordPrefix,
            EndOfWordSuffix = endOfWordSuffix,
        });
    }

    public void Encode(string word, List<int> ids)
    {
        if (ignoreMerges && vocabulary.TryGetValue(ByteLevelAlphabet.Encode(word), out int id))
        {
            ids.Add(id);
            return;
        }
        ids.AddRange(bpe.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false));
    }
}
