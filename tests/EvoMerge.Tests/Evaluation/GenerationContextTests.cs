using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>
/// A generation prompt longer than the model's context allows keeps its last max_length − max_new_tokens tokens, as
/// lm-evaluation-harness does, with one warning per task; max_new_tokens that leave no room for a prompt are refused.
/// </summary>
public sealed class GenerationContextTests : IDisposable
{
    private const int Context = 16, MaxNewTokens = 4;
    private const string Long = "Q: the quick brown fox jumps over the lazy dog\nA:", Short = "Q: hi\nA:";
    private readonly TempDirectory _directory = new();
    private readonly EvalTestModel _model = new(maxPositionEmbeddings: Context, seed: 5);

    public void Dispose()
    {
        _model.Dispose();
        _directory.Dispose();
    }

    private string Decode(IEnumerable<int> tokens) => _model.Tokenizer.Decode(tokens.TakeWhile(t => t != TestTokenizerFiles.EosId));

    private EvalTask Task(int maxNewTokens)
    {
        TestParquet.Write(_directory.Combine("gen.parquet"), [("q", new string?[] { Long, Short }), ("a", new string?[] { "x", "y" })]);
        File.WriteAllText(_directory.Combine("gen.yml"),
            $"name: gen\nkind: generate\ndata: gen.parquet\nprompt: '{{q}}'\ntarget_column: a\nuntil: ['~~~']\nmax_new_tokens: {maxNewTokens}\n");
        return EvalTask.Load(_directory.Combine("gen.yml"));
    }

    [Fact]
    public void A_prompt_past_the_context_is_cut_from_the_left_and_the_task_warns_once()
    {
        var full = _model.Tokenizer.Encode(Long, false);
        Assert.True(full.Count > Context, $"the long prompt must not fit: {full.Count} tokens");
        // By hand: the last 16 − 4 = 12 tokens, generated greedily without a cache.
        var kept = full.Skip(full.Count - (Context - MaxNewTokens)).ToList();
        string expected = Evaluator.CutAtStopStrings(Decode(_model.GreedyTokens(kept, MaxNewTokens, g => Decode(g).Contains("~~~", StringComparison.Ordinal))), ["~~~"]);
        var shortTokens = _model.Tokenizer.Encode(Short, false);
        string expectedShort = Evaluator.CutAtStopStrings(Decode(_model.GreedyTokens(shortTokens, MaxNewTokens, g => Decode(g).Contains("~~~", StringComparison.Ordinal))), ["~~~"]);

        var result = new Evaluator(_model.Model, _model.Tokenizer).Evaluate(Task(MaxNewTokens));

        var records = result.Records.Cast<GenerationRecord>().ToList();
        Assert.Equal(expected, records[0].Generated);
        Assert.Equal(expectedShort, records[1].Generated);
        string warning = Assert.Single(result.Warnings);
        Assert.Equal($"{_directory.Combine("gen.yml")}: 1 of 2 prompts do not fit before max_new_tokens 4 in the model's context of 16 tokens; "
            + "each keeps its last 12 tokens (truncated from the left, as lm-evaluation-harness does)", warning);
        Assert.Contains("warning: " + warning, EvalResultTable.Format(new EvalResult([result])));
    }

    [Fact]
    public void The_search_scorer_names_the_same_truncation_before_any_model_is_scored()
    {
        var scorer = new EvalTaskScorer(Task(MaxNewTokens), _model.Tokenizer);

        Assert.Equal([$"{_directory.Combine("gen.yml")}: 1 of 2 prompts do not fit before max_new_tokens 4 in the model's context of 16 tokens; "
            + "each keeps its last 12 tokens (truncated from the left, as lm-evaluation-harness does)"], scorer.ContextWarnings(Context));
        Assert.Empty(scorer.ContextWarnings(64));
    }

    [Fact]
    public void Max_new_tokens_that_leave_no_room_for_a_prompt_are_refused()
    {
        var error = Assert.Throws<EvalTaskFormatException>(() => new Evaluator(_model.Model, _model.Tokenizer).Evaluate(Task(Context)));
        Assert.Equal($"{_directory.Combine("gen.yml")}: max_new_tokens: 16 leaves no room for a prompt in the model's context of 16 tokens (lm-evaluation-harness refuses this too)", error.Message);
    }
}
