using System.Text.RegularExpressions;
using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>Greedy generation until a stop string, regex extraction, normalisation and exact_match.</summary>
public sealed class GenerationScoringTests : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly EvalTestModel _model = new(seed: 5);

    public void Dispose()
    {
        _model.Dispose();
        _directory.Dispose();
    }

    private string Decode(IEnumerable<int> tokens) => _model.Tokenizer.Decode(tokens.TakeWhile(t => t != TestTokenizerFiles.EosId));

    [Fact]
    public void GeneratesGreedilyUntilTheStopStringAndComparesNormalisedExtractions()
    {
        string[] prompts = ["Q: 1\nA:", "Q: 22\nA:", "Q: 333 red\nA:"];
        const int maxNewTokens = 10;
        // Independently: greedy tokens without a stop, to choose a stop string the model really produces.
        var free = prompts.Select(p => Decode(_model.GreedyTokens(_model.Tokenizer.Encode(p, false), maxNewTokens, _ => false))).ToList();
        // The random model emits many invalid UTF-8 bytes; stop at its second ASCII letter, extract ASCII letters.
        var letters = free[0].Where(char.IsAsciiLetterLower).ToList();
        Assert.True(letters.Count >= 2, $"generations {JsonList(free)} hold too few ASCII letters for this test");
        string stop = letters[1].ToString();

        var expected = prompts.Select(p => Evaluator.CutAtStopStrings(
            Decode(_model.GreedyTokens(_model.Tokenizer.Encode(p, false), maxNewTokens, g => Decode(g).Contains(stop, StringComparison.Ordinal))), [stop])).ToList();
        Assert.True(expected[0].Length < free[0].Length, "the stop string cut the first generation short");

        var regex = new Regex("([a-z]+)");
        var extracted = expected.Select(e => regex.Match(e) is { Success: true } m ? m.Groups[1].Value : null).ToList();
        Assert.True(extracted[0] is not null, $"generations {JsonList(free)} cut at {JsonList([stop])} give {JsonList(expected)}");
        // Row 0's target differs from its extraction only by case, padding and punctuation; row 1's does not match; row 2's is exact.
        string[] targets = [$"  {extracted[0]!.ToUpperInvariant()}!! ", "~~definitely not generated~~", extracted[2] ?? "unmatched"];
        bool[] correct = [true, false, extracted[2] is not null];

        TestParquet.Write(_directory.Combine("gen.parquet"), [("q", prompts.Select(p => (string?)p).ToArray()), ("a", targets.Select(t => (string?)t).ToArray())]);
        File.WriteAllText(_directory.Combine("gen.yml"),
            $"name: gen\nkind: generate\ndata: gen.parquet\nprompt: '{{q}}'\ntarget_column: a\nuntil: [{System.Text.Json.JsonSerializer.Serialize(stop)}]\nmax_new_tokens: {maxNewTokens}\n" +
            "extract_regex: '([a-z]+)'\nnormalize: [strip, lower, remove_punctuation]\n");
        var task = EvalTask.Load(_directory.Combine("gen.yml"));
        var result = new Evaluator(_model.Model, _model.Tokenizer, new EvaluatorOptions { GenerationBatchSize = 2 }).Evaluate(task);

        var records = result.Records.Cast<GenerationRecord>().ToList();
        for (int i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(expected[i], records[i].Generated);
            Assert.Equal(extracted[i], records[i].Extracted);
            Assert.Equal(targets[i], records[i].Target);
            Assert.Equal(correct[i], records[i].Correct);
        }
        var metric = result.Metric("exact_match");
        double mean = correct.Average(c => c ? 1.0 : 0.0);
        Assert.Equal(mean, metric.Value, 12);
        Assert.Equal(Math.Sqrt(correct.Sum(c => Math.Pow((c ? 1 : 0) - mean, 2)) / (correct.Length - 1) / correct.Length), metric.StandardError!.Value, 12);
    }

    private static string JsonList(IEnumerable<string> items) => System.Text.Json.JsonSerializer.Serialize(items);

    [Fact]
    public void ExtractionTakesTheFirstGroupOfTheFirstMatch()
    {
        Assert.Equal("42", Evaluator.Extract("The answer is 42, not 7.", new Regex(@"(\d+)")));
        Assert.Equal("answer is 42", Evaluator.Extract("The answer is 42.", new Regex(@"answer is \d+")));
        Assert.Equal("#### 9", Evaluator.Extract("#### 9", null));
        Assert.Null(Evaluator.Extract("no digits", new Regex(@"(\d+)")));
    }

    [Theory]
    [InlineData("  The Answer, is: 42!  ", "strip,lower,remove_punctuation", "the answer is 42")]
    [InlineData("the  cat\tand a dog", "remove_articles,collapse_whitespace,strip", "cat and dog")]
    [InlineData(" 1 000 ", "remove_whitespace", "1000")]
    [InlineData("Don't", "lower", "don't")]
    public void NormalisationStepsApplyInOrder(string text, string steps, string expected)
    {
        var parsed = steps.Split(',').Select(s => AnswerNormalizer.ByName[s]);
        Assert.Equal(expected, AnswerNormalizer.Apply(text, parsed));
    }
}
