using EvoMerge.Evaluation;
using EvoMerge.Inference.Tokenization;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>Token requests built exactly as lm-evaluation-harness's HF model builds them.</summary>
public sealed class RequestEncoderTests
{
    private static TextTokenizer Tokenizer(bool addBos = false, bool withBos = true)
    {
        using var directory = new TempDirectory();
        TestTokenizerFiles.Write(directory.Path, addBos, withBos);
        return TextTokenizer.Load(directory.Path);
    }

    private static int[] Bytes(string text) => text.Select(TestTokenizerFiles.ByteId).ToArray();

    [Fact]
    public void TestTokenizerMergesAsDesigned()
    {
        var tokenizer = Tokenizer();
        Assert.Equal([.. Bytes("Color:"), TestTokenizerFiles.MergedId("Ġblue")], tokenizer.Encode("Color: blue", addSpecialTokens: false));
        Assert.Equal([.. Bytes("Color:"), ' '], tokenizer.Encode("Color: ", addSpecialTokens: false));
        Assert.Equal([TestTokenizerFiles.ByteId('a'), TestTokenizerFiles.MergedId("bc"), TestTokenizerFiles.ByteId('d')], tokenizer.Encode("abcd", addSpecialTokens: false));
    }

    [Fact]
    public void TrailingWhitespaceOfTheContextMovesToTheContinuation()
    {
        Assert.Equal(("Color:", " blue"), RequestEncoder.MoveTrailingWhitespace("Color: ", "blue"));
        Assert.Equal(("Q: x\nA:", " \n  yes"), RequestEncoder.MoveTrailingWhitespace("Q: x\nA: \n ", " yes"));
        Assert.Equal(("A:", " no"), RequestEncoder.MoveTrailingWhitespace("A:", " no"));

        var request = new RequestEncoder(Tokenizer(), 512).Encode("Color: ", "blue");
        Assert.Equal(Bytes("Color:"), request.Context);
        Assert.Equal([TestTokenizerFiles.MergedId("Ġblue")], request.Continuation);
    }

    [Fact]
    public void ContinuationTokensAreTheWholeEncodingMinusTheContextEncodingsLength()
    {
        // encode("ab") = [a, b] and encode("abcd") = [a, bc, d]: lm-eval keeps whole[2:] = [d], not encode("cd") = [c, d].
        var request = new RequestEncoder(Tokenizer(), 512).Encode("ab", "cd");
        Assert.Equal(Bytes("ab"), request.Context);
        Assert.Equal([TestTokenizerFiles.ByteId('d')], request.Continuation);
    }

    [Fact]
    public void TargetDelimiterAndChoiceFormTheContinuation()
    {
        var encoder = new RequestEncoder(Tokenizer(), 512);
        var spaced = encoder.Encode("Q: sky?\nA:", " " + "blue");
        Assert.Equal(Bytes("Q: sky?\nA:"), spaced.Context);
        Assert.Equal([TestTokenizerFiles.MergedId("Ġblue")], spaced.Continuation);
        var newline = encoder.Encode("Q: sky?\nA:", "\n" + "blue");
        Assert.Equal([.. Bytes("\nbl"), TestTokenizerFiles.MergedId("ue")], newline.Continuation);
    }

    [Fact]
    public void EmptyContextBecomesBosOrElseEos()
    {
        var withBos = new RequestEncoder(Tokenizer(), 512).Encode("", " blue");
        Assert.Equal([TestTokenizerFiles.BosId], withBos.Context);
        Assert.Equal([TestTokenizerFiles.MergedId("Ġblue")], withBos.Continuation);

        var withoutBos = new RequestEncoder(Tokenizer(withBos: false), 512).Encode("", " blue");
        Assert.Equal([TestTokenizerFiles.EosId], withoutBos.Context);
    }

    [Fact]
    public void BosIsPrependedOnlyWhenTheTokenizerConfigAddsIt()
    {
        var plain = new RequestEncoder(Tokenizer(addBos: false), 512);
        var bos = new RequestEncoder(Tokenizer(addBos: true), 512);
        Assert.Equal(Bytes("A:"), plain.Encode("A:", " yes").Context);
        Assert.Equal([TestTokenizerFiles.BosId, .. Bytes("A:")], bos.Encode("A:", " yes").Context);
        Assert.Equal([TestTokenizerFiles.MergedId("Ġyes")], bos.Encode("A:", " yes").Continuation);
        Assert.Equal([TestTokenizerFiles.BosId, .. Bytes("A:")], bos.EncodePrompt("A:", 4));
        Assert.Equal(Bytes("A:"), plain.EncodePrompt("A:", 4));
    }

    [Fact]
    public void LongPairsKeepTheirLastMaxLengthPlusOneTokens()
    {
        // 9 context tokens + 1 continuation token, max length 6: lm-eval keeps the last 7 tokens.
        var request = new RequestEncoder(Tokenizer(), 6).Encode("pqrstuvw:", " yes");
        Assert.Equal(Bytes("stuvw:"), request.Context);
        Assert.Equal([TestTokenizerFiles.MergedId("Ġyes")], request.Continuation);
        Assert.Equal(Bytes("vw:"), new RequestEncoder(Tokenizer(), 6).EncodePrompt("pqrstuvw:", 3));
    }

    [Theory]
    [InlineData(1, 4)]
    [InlineData(4, 4)]
    [InlineData(5, 4)]
    [InlineData(9, 4)]
    [InlineData(13, 5)]
    public void RollingWindowsPredictEveryTokenOnceWithinTheMaxLength(int count, int maxLength)
    {
        var encoder = new RequestEncoder(Tokenizer(), maxLength);
        var tokens = Enumerable.Range(100, count).ToList();
        var windows = encoder.RollingWindows(tokens);
        Assert.Equal(tokens, windows.SelectMany(w => w.Continuation));
        Assert.Equal([TestTokenizerFiles.BosId], windows[0].Context);
        int predicted = 0;
        foreach (var window in windows)
        {
            int input = window.Context.Count + window.Continuation.Count - 1;
            Assert.True(input <= maxLength, $"window input of {input} tokens");
            if (window != windows[0])
            {
                Assert.Equal(maxLength, input);
                Assert.Equal(tokens.GetRange(predicted - window.Context.Count, window.Context.Count), window.Context);
            }
            predicted += window.Continuation.Count;
        }
        Assert.Equal((count + maxLength - 1) / maxLength, windows.Count);
        Assert.Empty(encoder.RollingWindows([]));
    }

    [Fact]
    public void RollingWindowsMatchLmEvalForNineTokensAndLengthFour()
    {
        // get_rolling_token_windows([0..8], prefix, max_seq_len=4, context_len=1) made disjoint:
        // ([P], [0,1,2,3]), ([3], [4,5,6,7])... input = context + continuation[:-1] = [3,4,5,6]; then ([4,5,6,7], [8]).
        var windows = new RequestEncoder(Tokenizer(), 4).RollingWindows(Enumerable.Range(0, 9).ToList());
        Assert.Equal(3, windows.Count);
        Assert.Equal([0, 1, 2, 3], windows[0].Continuation);
        Assert.Equal([3], windows[1].Context);
        Assert.Equal([4, 5, 6, 7], windows[1].Continuation);
        Assert.Equal([4, 5, 6, 7], windows[2].Context);
        Assert.Equal([8], windows[2].Continuation);
    }

    [Fact]
    public void GeneratedTextStopsAtEosAndStopStrings()
    {
        var tokenizer = Tokenizer();
        var encoder = new RequestEncoder(tokenizer, 512);
        var ids = tokenizer.Encode(" yes\nno", addSpecialTokens: false).Append(TestTokenizerFiles.EosId).Concat(Bytes("zz")).ToList();
        Assert.Equal(" yes\nno", encoder.DecodeGenerated(ids));
        Assert.True(encoder.ShouldStop([.. tokenizer.Encode(" yes\n", addSpecialTokens: false)], ["\n"]));
        Assert.False(encoder.ShouldStop([.. tokenizer.Encode(" yes", addSpecialTokens: false)], ["\n"]));
        Assert.True(encoder.ShouldStop([TestTokenizerFiles.ByteId('a'), TestTokenizerFiles.EosId], []));
        Assert.Equal(" yes", Evaluator.CutAtStopStrings(" yes\nno\n\nmore", ["\n\n", "\n"]));
        Assert.Equal(" yes", Evaluator.CutAtStopStrings(" yes.\nno", ["\n", "."]));
    }
}
