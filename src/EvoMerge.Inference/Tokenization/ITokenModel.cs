namespace EvoMerge.Inference.Tokenization;

/// <summary>The model step of a tokenizer.json pipeline: turns one pre-tokenized word into token ids.</summary>
internal interface ITokenModel
{
    void Encode(string word, List<int> ids);
}
