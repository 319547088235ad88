using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;

namespace EvoMerge.Evaluation;

/// <summary>
/// Turns text into the decoder's token requests as lm-evaluation-harness's HF model does:
/// <list type="bullet">
/// <item>log-likelihood pairs: trailing whitespace of the context moves to the front of the continuation; the
/// continuation's tokens are <c>encode(context + continuation)[len(encode(context)):]</c>, both without special
/// tokens; BOS is put before the context only when the tokenizer adds it (<c>add_bos_token</c>); an empty context
/// becomes the prefix token (BOS, or EOS when there is no BOS); a pair longer than the model's length keeps its
/// last <c>max_length + 1</c> tokens;</item>
/// <item>generation prompts: BOS as above, left-truncated to <c>max_length − max_new_tokens</c>;</item>
/// <item>rolling windows over a text: the first window predicts its first <c>max_length</c> tokens after the
/// prefix token, each later window predicts the next at most <c>max_length</c> tokens after as much preceding
/// text as fits (<c>get_rolling_token_windows</c> with context_len 1, made disjoint).</item>
/// </list>
/// </summary>
public sealed class RequestEncoder
{
    private readonly TextTokenizer _tokenizer;

    /// <summary>An encoder for <paramref name="tokenizer"/> and a model that reads at most <paramref name="maxLength"/> tokens.</summary>
    public RequestEncoder(TextTokenizer tokenizer, int maxLength)
    {
        if (maxLength < 2) throw new ArgumentException($"max length must be at least 2 tokens (got {maxLength})");
        _tokenizer = tokenizer;
        MaxLength = maxLength;
        PrefixTokenId = tokenizer.BosId ?? tokenizer.EosId
            ?? throw new ArgumentException("the tokenizer has neither a BOS nor an EOS token to stand for an empty context");
    }

    /// <summary>The most tokens the model reads in one pass.</summary>
    public int MaxLength { get; }

    /// <summary>The token an empty context becomes, and the context of a text's first rolling window (lm-eval's prefix_token_id).</summary>
    public int PrefixTokenId { get; }

    /// <summary>The request scoring <paramref name="continuation"/> after <paramref name="context"/>.</summary>
    public LogLikelihoodRequest Encode(string context, string continuation)
    {
        List<int> contextIds;
        IReadOnlyList<int> continuationIds;
        if (context.Length == 0)
        {
            contextIds = [PrefixTokenId];
            continuationIds = _tokenizer.Encode(continuation, addSpecialTokens: false);
        }
        else
        {
            var (movedContext, movedContinuation) = MoveTrailingWhitespace(context, continuation);
            var whole = _tokenizer.Encode(movedContext + movedContinuation, addSpecialTokens: false);
            var contextOnly = _tokenizer.Encode(movedContext, addSpecialTokens: false);
            continuationIds = whole.Skip(contextOnly.Count).ToList();
            contextIds = [.. BosPrefix(), .. contextOnly];
            if (contextIds.Count == 0) contextIds.Add(PrefixTokenId);
        }
        if (continuationIds.Count == 0)
            throw new ArgumentException($"continuation '{Escape(continuation)}' after context '…{Escape(context[^Math.Min(context.Length, 40)..])}' encodes to no tokens");
        int overflow = contextIds.Count + continuationIds.Count - (MaxLength + 1);
        if (overflow > 0)
        {
            if (overflow >= contextIds.Count)
                throw new ArgumentException($"continuation of {continuationIds.Count} tokens does not fit in the model's {MaxLength} tokens");
            contextIds = contextIds.GetRange(overflow, contextIds.Count - overflow);
        }
        return new LogLikelihoodRequest(contextIds, continuationIds);
    }

    /// <summary>lm-eval's <c>_encode_pair</c> step: <c>n = len(context) − len(context.rstrip())</c> characters move.</summary>
    public static (string Context, string Continuation) MoveTrailingWhitespace(string context, string continuation)
    {
        string trimmed = context.TrimEnd();
        return trimmed.Length == context.Length ? (context, continuation) : (trimmed, context[trimmed.Length..] + continuation);
    }

    /// <summary>The prompt of a generation: BOS when the tokenizer adds it, then the context, keeping its last <c>max_length − max_new_tokens</c> tokens.</summary>
    public IReadOnlyList<int> EncodePrompt(string context, int maxNewTokens) => EncodeTruncatedPrompt(context, maxNewTokens).Tokens;

    /// <summary>
    /// As <see cref="EncodePrompt"/>, with the number of tokens cut from the left (0 when the prompt fits). As in
    /// lm-evaluation-harness, <paramref name="maxNewTokens"/> must leave room for a prompt: at least
    /// <see cref="MaxLength"/> is an <see cref="ArgumentException"/> (the prompt would be dropped).
    /// </summary>
    public (IReadOnlyList<int> Tokens, int Dropped) EncodeTruncatedPrompt(string context, int maxNewTokens)
    {
        int keep = MaxLength - maxNewTokens;
        if (keep < 1)
            throw new ArgumentException($"max_new_tokens {maxNewTokens} leaves no room for a prompt in the model's context of {MaxLength} tokens");
        List<int> ids = [.. BosPrefix(), .. _tokenizer.Encode(context, addSpecialTokens: false)];
        if (ids.Count == 0) ids.Add(PrefixTokenId);
        return ids.Count > keep ? (ids.GetRange(ids.Count - keep, keep), ids.Count - keep) : (ids, 0);
    }

    /// <summary>The tokens of a perplexity text (no special tokens).</summary>
    public IReadOnlyList<int> EncodeText(string text) => _tokenizer.Encode(text, addSpecialTokens: false);

    /// <summary>
    /// Disjoint rolling windows over <paramref name="tokens"/>: every token is predicted exactly once, and no
    /// window's input (context + continuation − 1) is longer than <see cref="MaxLength"/>. None for no tokens.
    /// </summary>
    public IReadOnlyList<LogLikelihoodRequest> RollingWindows(IReadOnlyList<int> tokens)
    {
        var windows = new List<LogLikelihoodRequest>();
        if (tokens.Count == 0) return windows;
        var list = tokens as List<int> ?? [.. tokens];
        int first = Math.Min(MaxLength, list.Count);
        windows.Add(new LogLikelihoodRequest([PrefixTokenId], list.GetRange(0, first)));
        for (int predicted = first; predicted < list.Count;)
        {
            int length = Math.Min(list.Count - predicted, MaxLength);
            int end = predicted + length;
            int contextStart = end - MaxLength - 1;
            windows.Add(new LogLikelihoodRequest(list.GetRange(contextStart, end - length - contextStart), list.GetRange(end - length, length)));
            predicted = end;
        }
        return windows;
    }

    /// <summary>The text of generated tokens, up to (not including) the first EOS.</summary>
    public string DecodeGenerated(IReadOnlyList<int> tokens)
    {
        int end = 0;
        while (end < tokens.Count && tokens[end] != _tokenizer.EosId) end++;
        return _tokenizer.Decode(tokens.Take(end));
    }

    /// <summary>Whether a generation should stop: its last token is EOS or its text holds one of <paramref name="until"/>.</summary>
    public bool ShouldStop(IReadOnlyList<int> generated, IReadOnlyList<string> until) =>
        generated.Count > 0 && _tokenizer.EosId is int eos && generated[^1] == eos
        || until.Count > 0 && _tokenizer.Decode(generated) is var text && until.Any(s => s.Length > 0 && text.Contains(s, StringComparison.Ordinal));

    private IEnumerable<int> BosPrefix() => _tokenizer.AddBosToken && _tokenizer.BosId is int bos ? [bos] : [];

    private static string Escape(string text) => text.ReplaceLineEndings("\\n");
}
