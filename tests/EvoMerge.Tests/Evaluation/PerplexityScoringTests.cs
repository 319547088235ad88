using System.Text;
using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>Rolling log-likelihood, word perplexity and bits per byte against a hand computation.</summary>
public sealed class PerplexityScoringTests : IDisposable
{
    private static readonly string[] Texts = ["red green blue yes no", " Colors:  blue\nand green. ", "bcbc abcd yes"];

    private readonly TempDirectory _directory = new();
    private readonly EvalTestModel _model = new(seed: 3);

    public void Dispose()
    {
        _model.Dispose();
        _directory.Dispose();
    }

    private EvalTask Task()
    {
        TestParquet.Write(_directory.Combine("ppl.parquet"), [("text", Texts.Select(t => (string?)t).ToArray())]);
        File.WriteAllText(_directory.Combine("ppl.yml"), "name: ppl\nkind: perplexity\ndata: ppl.parquet\ntext_column: text\n");
        return EvalTask.Load(_directory.Combine("ppl.yml"));
    }

    [Fact]
    public void SingleWindowMetricsEqualAHandComputation()
    {
        var result = new Evaluator(_model.Model, _model.Tokenizer).Evaluate(Task());
        var records = result.Records.Cast<PerplexityRecord>().ToList();
        var lls = new double[Texts.Length];
        int[] words = [5, 6, 3];
        for (int i = 0; i < Texts.Length; i++)
        {
            var tokens = _model.Tokenizer.Encode(Texts[i], false);
            lls[i] = _model.Score([TestTokenizerFiles.BosId], tokens).LogLikelihood;
            Assert.True(Math.Abs(lls[i] - records[i].LogLikelihood) <= 1e-4, $"text {i}: evaluator {records[i].LogLikelihood} vs independent {lls[i]}");
            Assert.Equal(tokens.Count, records[i].Tokens);
            Assert.Equal(words[i], records[i].Words);
            Assert.Equal(Encoding.UTF8.GetByteCount(Texts[i]), records[i].Bytes);
        }
        // re.split(r"\s+", " Colors:  blue\nand green. ") == ['', 'Colors:', 'blue', 'and', 'green.', ''] has 6 items.
        Assert.Equal(6, Evaluator.CountWords(Texts[1]));

        double totalLl = lls.Sum();
        int totalWords = records.Sum(r => r.Words), totalBytes = records.Sum(r => r.Bytes);
        Assert.Equal(Math.Exp(-totalLl / totalWords), result.Metric("word_perplexity").Value, 1e-6 * result.Metric("word_perplexity").Value);
        Assert.Equal(Math.Exp(-totalLl / totalBytes), result.Metric("byte_perplexity").Value, 1e-6);
        Assert.Equal(-totalLl / (totalBytes * Math.Log(2)), result.Metric("bits_per_byte").Value, 1e-6);
        Assert.False(result.Metric("bits_per_byte").HigherIsBetter);

        // Delta-method standard error of the ratio -ΣLL/Σbytes, scaled by 1/ln 2.
        double ratio = -totalLl / totalBytes;
        double squares = records.Select((r, i) => Math.Pow(-lls[i] - ratio * r.Bytes, 2)).Sum();
        double ratioError = Math.Sqrt(squares / (Texts.Length * (Texts.Length - 1))) / ((double)totalBytes / Texts.Length);
        Assert.Equal(ratioError / Math.Log(2), result.Metric("bits_per_byte").StandardError!.Value, 1e-6);
        Assert.Equal(Math.Exp(ratio) * ratioError, result.Metric("byte_perplexity").StandardError!.Value, 1e-6);
    }

    [Fact]
    public void RollingWindowsCoverLongTextsAndSumTheirScores()
    {
        var evaluator = new Evaluator(_model.Model, _model.Tokenizer, new EvaluatorOptions { MaxLength = 4 });
        var result = evaluator.Evaluate(Task());
        var records = result.Records.Cast<PerplexityRecord>().ToList();
        for (int i = 0; i < Texts.Length; i++)
        {
            var tokens = _model.Tokenizer.Encode(Texts[i], false);
            var windows = evaluator.Encoder.RollingWindows(tokens);
            Assert.True(windows.Count > 1);
            double expected = windows.Sum(w => _model.Score(w.Context, w.Continuation).LogLikelihood);
            Assert.True(Math.Abs(expected - records[i].LogLikelihood) <= 1e-4, $"text {i}: evaluator {records[i].LogLikelihood} vs windows {expected}");
            Assert.Equal(tokens.Count, records[i].Tokens);
        }
        var full = new Evaluator(_model.Model, _model.Tokenizer).Evaluate(Task()).Records.Cast<PerplexityRecord>().ToList();
        Assert.NotEqual(full[0].LogLikelihood, records[0].LogLikelihood, 6);
    }
}
