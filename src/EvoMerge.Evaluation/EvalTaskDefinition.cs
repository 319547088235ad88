using System.Text.RegularExpressions;

namespace EvoMerge.Evaluation;

/// <summary>
/// An eval task as its YAML file describes it (see <see cref="EvalTaskYamlReader"/> for the keys). Paths are
/// resolved against the YAML file's directory. Read with <see cref="Read"/>; load the documents with
/// <see cref="EvalTask.Load(string, int?)"/>.
/// </summary>
public sealed record EvalTaskDefinition
{
    /// <summary>lm-eval's default few-shot seed.</summary>
    public const int DefaultFewshotSeed = 1234;

    /// <summary>lm-eval's default generation length (<c>max_gen_toks</c>).</summary>
    public const int DefaultMaxNewTokens = 256;

    /// <summary>The YAML file this definition was read from.</summary>
    public required string SourceFile { get; init; }

    /// <summary>The task's name (<c>name</c>), used in results.</summary>
    public required string Name { get; init; }

    /// <summary>How the task is scored (<c>kind</c>).</summary>
    public required EvalTaskKind Kind { get; init; }

    /// <summary>The Parquet file of the documents scored (<c>data</c>, or <c>splits[split]</c>).</summary>
    public required string DataFile { get; init; }

    /// <summary>The split scored when the YAML names <c>splits</c>; null for a single <c>data</c> file.</summary>
    public string? Split { get; init; }

    /// <summary>All split files by name (<c>splits</c>); empty for a single <c>data</c> file.</summary>
    public IReadOnlyDictionary<string, string> Splits { get; init; } = new Dictionary<string, string>();

    /// <summary>The prompt over the document's columns (<c>prompt</c>); null for perplexity tasks.</summary>
    public PromptTemplate? Prompt { get; init; }

    /// <summary>Multiple choice: the list&lt;string&gt; column holding each document's choices (<c>choices_column</c>).</summary>
    public string? ChoicesColumn { get; init; }

    /// <summary>Multiple choice: the same choices for every document (<c>choices</c>).</summary>
    public IReadOnlyList<string>? Choices { get; init; }

    /// <summary>Multiple choice: the integer column holding the 0-based index of the correct choice (<c>answer_column</c>).</summary>
    public string? AnswerColumn { get; init; }

    /// <summary>Put between the prompt and the answer (<c>target_delimiter</c>, default one space).</summary>
    public string TargetDelimiter { get; init; } = " ";

    /// <summary>Generate: the column holding the expected answer (<c>target_column</c>).</summary>
    public string? TargetColumn { get; init; }

    /// <summary>Generate: generation stops at the first of these strings, which is cut off (<c>until</c>; default the few-shot delimiter).</summary>
    public IReadOnlyList<string> Until { get; init; } = [];

    /// <summary>Generate: the most tokens generated per document (<c>max_new_tokens</c>).</summary>
    public int MaxNewTokens { get; init; } = DefaultMaxNewTokens;

    /// <summary>Generate: the answer is the first capture group of the first match (the whole match without groups); null: the whole output.</summary>
    public Regex? ExtractRegex { get; init; }

    /// <summary>Generate: normalisation applied to the extracted answer and the target before comparing (<c>normalize</c>).</summary>
    public IReadOnlyList<AnswerNormalization> Normalize { get; init; } = [];

    /// <summary>Perplexity: the column holding the text scored (<c>text_column</c>).</summary>
    public string? TextColumn { get; init; }

    /// <summary>Solved examples put before each document (<c>num_fewshot</c>, default 0).</summary>
    public int NumFewshot { get; init; }

    /// <summary>
    /// The Parquet file few-shot examples are drawn from (<c>fewshot_split</c> or <c>fewshot_data</c>); when it is
    /// the scored file itself, the document being scored is never its own example.
    /// </summary>
    public required string FewshotDataFile { get; init; }

    /// <summary>Seed of the few-shot draw (<c>fewshot_seed</c>).</summary>
    public int FewshotSeed { get; init; } = DefaultFewshotSeed;

    /// <summary>Between few-shot examples and before the document (<c>fewshot_delimiter</c>, default a blank line).</summary>
    public string FewshotDelimiter { get; init; } = "\n\n";

    /// <summary>Score only the first this many documents (<c>limit</c>); null: all.</summary>
    public int? Limit { get; init; }

    /// <summary>The 1-based YAML line of each key present, for error messages.</summary>
    public IReadOnlyDictionary<string, int> KeyLines { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// Reads and checks a task YAML file; problems raise <see cref="EvalTaskFormatException"/> naming the line and key.
    /// <paramref name="admit"/>, when given, sees each data file's full path before anything looks at it and throws to refuse it.
    /// </summary>
    public static EvalTaskDefinition Read(string yamlPath, Action<string>? admit = null) => EvalTaskYamlReader.Read(yamlPath, admit);

    /// <summary>The YAML line of <paramref name="key"/>, or null when the key is absent.</summary>
    public int? LineOf(string key) => KeyLines.TryGetValue(key, out int line) ? line : null;
}
