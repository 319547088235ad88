using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>Task YAML: every key read, and every mistake a one-line error naming the file, the line and the key.</summary>
public sealed class EvalTaskDefinitionTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public EvalTaskDefinitionTests()
    {
        foreach (string name in new[] { "data.parquet", "dev.parquet", "test.parquet", "shots.parquet" })
            File.WriteAllBytes(_directory.Combine(name), []);
    }

    public void Dispose() => _directory.Dispose();

    private string Yaml(string text)
    {
        string path = _directory.Combine($"task-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, text);
        return path;
    }

    private EvalTaskFormatException Error(string text, out string path)
    {
        path = Yaml(text);
        string file = path;
        var error = Assert.Throws<EvalTaskFormatException>(() => EvalTaskDefinition.Read(file));
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith(path, error.Message);
        return error;
    }

    [Fact]
    public void ReadsAMultipleChoiceTask()
    {
        var definition = EvalTaskDefinition.Read(Yaml("""
            name: colors
            kind: multiple_choice
            data: data.parquet
            prompt: "Q: {question}\nA:"
            choices_column: choices
            answer_column: label
            num_fewshot: 2
            fewshot_data: shots.parquet
            fewshot_seed: 7
            limit: 10
            """));
        Assert.Equal("colors", definition.Name);
        Assert.Equal(EvalTaskKind.MultipleChoice, definition.Kind);
        Assert.Equal(_directory.Combine("data.parquet"), definition.DataFile);
        Assert.Equal("Q: {question}\nA:", definition.Prompt!.Source);
        Assert.Equal(["question"], definition.Prompt.Columns);
        Assert.Equal("choices", definition.ChoicesColumn);
        Assert.Equal("label", definition.AnswerColumn);
        Assert.Equal(" ", definition.TargetDelimiter);
        Assert.Equal(2, definition.NumFewshot);
        Assert.Equal(_directory.Combine("shots.parquet"), definition.FewshotDataFile);
        Assert.Equal(7, definition.FewshotSeed);
        Assert.Equal("\n\n", definition.FewshotDelimiter);
        Assert.Equal(10, definition.Limit);
        Assert.Equal(6, definition.LineOf("answer_column"));
    }

    [Fact]
    public void ReadsAGenerateTaskWithSplits()
    {
        var definition = EvalTaskDefinition.Read(Yaml("""
            name: sums
            kind: generate
            splits: {dev: dev.parquet, test: test.parquet}
            split: test
            fewshot_split: dev
            num_fewshot: 1
            prompt: "{a} + {b} = "
            target_column: sum
            until: ["\n", "."]
            max_new_tokens: 12
            extract_regex: '(-?\d+)'
            normalize: [strip, lower, remove_punctuation]
            target_delimiter: ""
            """));
        Assert.Equal(EvalTaskKind.Generate, definition.Kind);
        Assert.Equal("test", definition.Split);
        Assert.Equal(_directory.Combine("test.parquet"), definition.DataFile);
        Assert.Equal(_directory.Combine("dev.parquet"), definition.FewshotDataFile);
        Assert.Equal(["a", "b"], definition.Prompt!.Columns);
        Assert.Equal(["\n", "."], definition.Until);
        Assert.Equal(12, definition.MaxNewTokens);
        Assert.Equal("12", definition.ExtractRegex!.Match("x 12 y").Groups[1].Value);
        Assert.Equal([AnswerNormalization.Strip, AnswerNormalization.Lower, AnswerNormalization.RemovePunctuation], definition.Normalize);
        Assert.Equal("", definition.TargetDelimiter);
    }

    [Fact]
    public void GenerateDefaultsStopAtTheFewshotDelimiterAndPerplexityNeedsOnlyAText()
    {
        var generate = EvalTaskDefinition.Read(Yaml("name: g\nkind: generate\ndata: data.parquet\nprompt: '{q}'\ntarget_column: a\nfewshot_delimiter: \"\\n###\\n\"\n"));
        Assert.Equal(["\n###\n"], generate.Until);
        Assert.Equal(EvalTaskDefinition.DefaultMaxNewTokens, generate.MaxNewTokens);
        Assert.Null(generate.ExtractRegex);
        var perplexity = EvalTaskDefinition.Read(Yaml("name: p\nkind: perplexity\ndata: data.parquet\ntext_column: text\n"));
        Assert.Equal("text", perplexity.TextColumn);
        Assert.Null(perplexity.Prompt);
    }

    [Fact]
    public void UnknownKeyIsAnErrorWithItsLine()
    {
        var error = Error("name: t\nkind: multiple_choice\ndata: data.parquet\nprompt: '{q}'\nchoices: [a, b]\nanswer_colum: label\n", out string path);
        Assert.Equal($"{path}:6: answer_colum: unknown key (expected one of: answer_column, choices, choices_column, data, fewshot_data, fewshot_delimiter, fewshot_seed, fewshot_split, kind, limit, name, num_fewshot, prompt, split, splits, target_delimiter)", error.Message);
        Assert.Equal(6, error.Line);
    }

    [Theory]
    [InlineData("name: t\nkind: multiple_choice\ndata: data.parquet\nprompt: '{q}'\nchoices: [a, b]\nanswer_column: [label]\n", 6, "answer_column", "must be a string (got a list)")]
    [InlineData("name: t\nkind: generate\ndata: data.parquet\nprompt: '{q}'\ntarget_column: a\nmax_new_tokens: many\n", 6, "max_new_tokens", "must be an integer (got 'many')")]
    [InlineData("name: t\nkind: generate\ndata: data.parquet\nprompt: '{q}'\ntarget_column: a\nmax_new_tokens: \"8\"\n", 6, "max_new_tokens", "must be an integer (got the string '8')")]
    [InlineData("name: t\nkind: generate\ndata: data.parquet\nprompt: '{q}'\ntarget_column: a\nuntil: \"\\n\"\n", 6, "until", "must be a list of strings")]
    [InlineData("name: t\nkind: generate\ndata: data.parquet\nprompt: '{q}'\ntarget_column: a\nmax_new_tokens: 0\n", 6, "max_new_tokens", "must be at least 1 (got 0)")]
    [InlineData("name: t\nkind: generate\ndata: data.parquet\nprompt: '{q}'\ntarget_column: a\nnormalize: [strip, upper]\n", 6, "normalize", "unknown step 'upper'")]
    [InlineData("name: t\nkind: generate\ndata: data.parquet\nprompt: '{q}'\ntarget_column: a\nextract_regex: '(\\d+'\n", 6, "extract_regex", "is not a valid regular expression")]
    [InlineData("name: t\nkind: sorting\ndata: data.parquet\n", 2, "kind", "'sorting' is not a task kind (expected multiple_choice, generate, perplexity)")]
    [InlineData("name: t\nkind: perplexity\ndata: data.parquet\ntext_column: text\nprompt: '{q}'\n", 5, "prompt", "does not apply to kind perplexity (it is a multiple_choice key)")]
    [InlineData("name: t\nkind: multiple_choice\ndata: data.parquet\nprompt: 'Q: {q'\nchoices: [a]\nanswer_column: l\n", 4, "prompt", "'{' at character 4 is not closed by '}'")]
    [InlineData("name: t\nkind: multiple_choice\ndata: missing.parquet\nprompt: '{q}'\nchoices: [a]\nanswer_column: l\n", 3, "data", "file 'missing.parquet' not found")]
    [InlineData("name: t\nkind: multiple_choice\nsplits: {dev: dev.parquet}\nsplit: test\nprompt: '{q}'\nchoices: [a]\nanswer_column: l\n", 4, "split", "'test' is not one of the splits (dev)")]
    [InlineData("name: t\nkind: multiple_choice\ndata: data.parquet\nprompt: '{q}'\nchoices: [a]\nanswer_column: l\nname: u\n", 7, "name", "appears more than once")]
    [InlineData("name: t\nkind: perplexity\ndata: data.parquet\ntext_column: text\nnum_fewshot: 2\n", 5, "num_fewshot", "must be 0 for kind perplexity")]
    [InlineData("name: t\nkind: multiple_choice\ndata: data.parquet\nprompt: '{q}'\nchoices: [a]\nchoices_column: c\nanswer_column: l\n", 5, "choices", "give either choices_column or choices, not both")]
    [InlineData("name: t\nkind: multiple_choice\ndata: data.parquet\nprompt: '{q}'\nchoices: [a]\nanswer_column: l\nfewshot_split: dev\n", 7, "fewshot_split", "has no effect without num_fewshot > 0")]
    [InlineData("name: t\nkind: multiple_choice\ndata: data.parquet\nprompt: '{q}'\nchoices: [a]\nanswer_column: ~\n", 6, "answer_column", "must be a string (got null)")]
    public void MistakesNameTheLineAndTheKey(string yaml, int line, string key, string problem)
    {
        var error = Error(yaml, out string path);
        Assert.True(error.Message.StartsWith($"{path}:{line}: {key}: {problem}", StringComparison.Ordinal), error.Message);
        Assert.Equal(key, error.Field);
    }

    [Fact]
    public void MissingRequiredKeysAndBrokenYamlAreErrors()
    {
        var missing = Error("name: t\nkind: generate\ndata: data.parquet\nprompt: '{q}'\n", out string path);
        Assert.Equal($"{path}: target_column: is required", missing.Message);
        var broken = Error("name: t\nkind: [generate\n", out string brokenPath);
        Assert.StartsWith($"{brokenPath}:", broken.Message);
        var list = Error("- name: t\n", out string listPath);
        Assert.Equal($"{listPath}:1: expected a mapping of task keys", list.Message);
        Assert.Throws<FileNotFoundException>(() => EvalTaskDefinition.Read(_directory.Combine("absent.yml")));
    }
}
