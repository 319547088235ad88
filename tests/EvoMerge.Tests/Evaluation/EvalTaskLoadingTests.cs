using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>Parquet data checked against the task and rendered into documents.</summary>
public sealed class EvalTaskLoadingTests : IDisposable
{
    private const string MultipleChoiceYaml = "name: colors\nkind: multiple_choice\ndata: data.parquet\nprompt: \"Q: {question}\\nA:\"\nchoices_column: choices\nanswer_column: label\n";

    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private string Write(string yaml, string parquet, params (string Name, object Values)[] columns)
    {
        TestParquet.Write(_directory.Combine(parquet), columns);
        string path = _directory.Combine($"task-{Guid.NewGuid():N}.yml");
        File.WriteAllText(path, yaml);
        return path;
    }

    private static (string, object)[] ColorColumns(int rows = 3) =>
    [
        ("question", Enumerable.Range(0, rows).Select(i => (string?)$"color {i}?").ToArray()),
        ("choices", Enumerable.Range(0, rows).Select(i => new[] { "red", "blue", $"green{i}" }).ToArray()),
        ("label", Enumerable.Range(0, rows).Select(i => (long)(i % 3)).ToArray()),
    ];

    private EvalTaskFormatException LoadError(string yamlPath)
    {
        var error = Assert.Throws<EvalTaskFormatException>(() => EvalTask.Load(yamlPath));
        Assert.DoesNotContain('\n', error.Message);
        return error;
    }

    [Fact]
    public void RendersMultipleChoiceDocumentsFromAListColumnAcrossRowGroups()
    {
        string yaml = _directory.Combine("colors.yml");
        File.WriteAllText(yaml, MultipleChoiceYaml);
        TestParquet.Write(_directory.Combine("data.parquet"), ColorColumns(5), rowGroupSize: 2);
        var task = EvalTask.Load(yaml);
        Assert.Equal(5, task.Documents.Count);
        var third = Assert.IsType<MultipleChoiceDocument>(task.Documents[3]);
        Assert.Equal(3, third.Index);
        Assert.Equal("Q: color 3?\nA:", third.Context);
        Assert.Equal(["red", "blue", "green3"], third.Choices);
        Assert.Equal(0, third.Answer);
        Assert.Equal(" ", third.TargetDelimiter);
        Assert.Equal(2, EvalTask.Load(yaml, limit: 2).Documents.Count);
    }

    [Fact]
    public void FixedChoicesIntegerPromptColumnsAndInt32Answers()
    {
        string yaml = Write("name: t\nkind: multiple_choice\ndata: d.parquet\nprompt: '{a} + {b} = {{?}}'\nchoices: ['no', 'yes']\nanswer_column: y\ntarget_delimiter: ''\n",
            "d.parquet", ("a", new long[] { 1, 2 }), ("b", new string?[] { "x", "y" }), ("y", new[] { 1, 0 }));
        var task = EvalTask.Load(yaml);
        var first = Assert.IsType<MultipleChoiceDocument>(task.Documents[0]);
        Assert.Equal("1 + x = {?}", first.Context);
        Assert.Equal(["no", "yes"], first.Choices);
        Assert.Equal(1, first.Answer);
        Assert.Equal("", first.TargetDelimiter);
    }

    [Fact]
    public void FewshotExamplesAreDistinctSeededAndNeverTheDocumentItself()
    {
        string yaml = Write(MultipleChoiceYaml + "num_fewshot: 3\nfewshot_seed: 5\n", "data.parquet", ColorColumns(6));
        var task = EvalTask.Load(yaml);
        var again = EvalTask.Load(yaml);
        for (int i = 0; i < 6; i++)
        {
            var document = Assert.IsType<MultipleChoiceDocument>(task.Documents[i]);
            Assert.Equal(document.Context, ((MultipleChoiceDocument)again.Documents[i]).Context);
            var parts = document.Context.Split("\n\n");
            Assert.Equal(4, parts.Length);
            Assert.Equal($"Q: color {i}?\nA:", parts[3]);
            var shots = parts[..3];
            Assert.Equal(3, shots.Distinct().Count());
            foreach (string shot in shots)
            {
                int row = int.Parse(shot["Q: color ".Length..shot.IndexOf('?')], System.Globalization.CultureInfo.InvariantCulture);
                Assert.NotEqual(i, row);
                string answer = (row % 3) switch { 0 => "red", 1 => "blue", _ => $"green{row}" };
                Assert.Equal($"Q: color {row}?\nA: {answer}", shot);
            }
        }
        Assert.Contains(task.Documents, d => ((MultipleChoiceDocument)d).Context != ((MultipleChoiceDocument)task.Documents[0]).Context);
        string otherSeed = Write(MultipleChoiceYaml + "num_fewshot: 3\nfewshot_seed: 6\n", "data.parquet", ColorColumns(6));
        Assert.Contains(Enumerable.Range(0, 6), i => ((MultipleChoiceDocument)EvalTask.Load(otherSeed).Documents[i]).Context != ((MultipleChoiceDocument)task.Documents[i]).Context);
        string tooMany = Write(MultipleChoiceYaml + "num_fewshot: 6\n", "data.parquet", ColorColumns(6));
        Assert.Contains("num_fewshot: asks for 6 examples but", LoadError(tooMany).Message);
    }

    [Fact]
    public void EmptyParquetIsAnErrorNamingTheFile()
    {
        string yaml = Write(MultipleChoiceYaml, "data.parquet", ("question", Array.Empty<string?>()), ("choices", Array.Empty<string[]>()), ("label", Array.Empty<long>()));
        Assert.Equal($"{_directory.Combine("data.parquet")}: has 0 rows", LoadError(yaml).Message);
    }

    [Fact]
    public void MissingColumnIsAnErrorNamingTheFileAndColumn()
    {
        var columns = ColorColumns();
        string yaml = Write(MultipleChoiceYaml, "data.parquet", columns[0], columns[1]);
        Assert.Equal($"{_directory.Combine("data.parquet")}: column 'label' (answer_column): is missing (the file has columns: question, choices)", LoadError(yaml).Message);
    }

    [Fact]
    public void PromptNamingAnUnknownColumnIsAnErrorNamingTheFileAndColumn()
    {
        string yaml = Write(MultipleChoiceYaml.Replace("{question}", "{questoin}", StringComparison.Ordinal), "data.parquet", ColorColumns());
        Assert.Equal($"{_directory.Combine("data.parquet")}: column 'questoin' (prompt): is missing (the file has columns: question, choices, label)", LoadError(yaml).Message);
    }

    [Theory]
    [InlineData("label", "string", "has type string but answer_column needs an integer type")]
    [InlineData("choices", "string", "has type string but choices_column needs list<string>")]
    [InlineData("question", "double", "has type double but prompt needs string or an integer type")]
    public void WrongColumnTypeIsAnErrorNamingTheFileAndColumn(string column, string type, string problem)
    {
        var columns = ColorColumns().Select(c => c.Item1 != column ? c
            : (column, type == "string" ? (object)new string?[] { "0", "1", "2" } : new double[] { 0, 1, 2 })).ToArray();
        string yaml = Write(MultipleChoiceYaml, "data.parquet", columns);
        string role = column switch { "label" => "answer_column", "choices" => "choices_column", _ => "prompt" };
        Assert.Equal($"{_directory.Combine("data.parquet")}: column '{column}' ({role}): {problem}", LoadError(yaml).Message);
    }

    [Fact]
    public void NullsAndOutOfRangeAnswersAreErrorsNamingTheRow()
    {
        var columns = ColorColumns();
        columns[0] = ("question", new string?[] { "a", null, "c" });
        string nulls = Write(MultipleChoiceYaml, "data.parquet", columns);
        Assert.Equal($"{_directory.Combine("data.parquet")}: column 'question' (prompt): row 1 is null", LoadError(nulls).Message);

        columns = ColorColumns();
        columns[2] = ("label", new long[] { 0, 3, 1 });
        string range = Write(MultipleChoiceYaml, "data.parquet", columns);
        Assert.Equal($"{_directory.Combine("data.parquet")}: column 'label' (answer_column): row 1 holds 3, not a choice index (0 … 2)", LoadError(range).Message);
    }

    [Fact]
    public void GenerateAndPerplexityDocuments()
    {
        string generate = Write("name: g\nkind: generate\ndata: g.parquet\nprompt: '{q} ='\ntarget_column: a\nnum_fewshot: 1\nfewshot_data: shots.parquet\n",
            "g.parquet", ("q", new string?[] { "1+1", "2+2" }), ("a", new long[] { 2, 4 }));
        TestParquet.Write(_directory.Combine("shots.parquet"), [("q", new string?[] { "3+3" }), ("a", new long[] { 6 })]);
        var task = EvalTask.Load(generate);
        var second = Assert.IsType<GenerationDocument>(task.Documents[1]);
        Assert.Equal("3+3 = 6\n\n2+2 =", second.Context);
        Assert.Equal("4", second.Target);

        string perplexity = Write("name: p\nkind: perplexity\ndata: p.parquet\ntext_column: text\nlimit: 1\n", "p.parquet", ("text", new string?[] { "one two", "three" }));
        var text = Assert.IsType<PerplexityDocument>(Assert.Single(EvalTask.Load(perplexity).Documents));
        Assert.Equal("one two", text.Text);
    }

    [Fact]
    public void SplitsSelectTheScoredFileAndTheFewshotFile()
    {
        TestParquet.Write(_directory.Combine("dev.parquet"), [("q", new string?[] { "d0", "d1" }), ("a", new string?[] { "x", "y" })]);
        TestParquet.Write(_directory.Combine("test.parquet"), [("q", new string?[] { "t0", "t1", "t2" }), ("a", new string?[] { "p", "q", "r" })]);
        string yaml = _directory.Combine("splits.yml");
        File.WriteAllText(yaml, "name: s\nkind: generate\nsplits: {dev: dev.parquet, test: test.parquet}\nsplit: test\nfewshot_split: dev\nnum_fewshot: 2\nprompt: '{q}:'\ntarget_column: a\ntarget_delimiter: ''\nfewshot_delimiter: '|'\n");
        var task = EvalTask.Load(yaml);
        Assert.Equal(3, task.AvailableDocuments);
        foreach (var document in task.Documents.Cast<GenerationDocument>())
        {
            var parts = document.Context.Split('|');
            Assert.Equal(["d0:x", "d1:y"], parts[..2].Order(StringComparer.Ordinal));
            Assert.Equal($"t{document.Index}:", parts[2]);
        }
    }

    [Fact]
    public void NotAParquetFileIsAnError()
    {
        File.WriteAllText(_directory.Combine("data.parquet"), "question,choices\n");
        string yaml = _directory.Combine("t.yml");
        File.WriteAllText(yaml, MultipleChoiceYaml);
        Assert.Equal($"{_directory.Combine("data.parquet")}: is not a Parquet file (it does not start with the PAR1 magic)", LoadError(yaml).Message);
    }
}
