using System.Globalization;
using System.Text.RegularExpressions;
using EvoMerge.Tensors.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EvoMerge.Evaluation;

/// <summary>
/// Reads a task YAML file into an <see cref="EvalTaskDefinition"/>. Keys: <c>name</c>, <c>kind</c>
/// (multiple_choice | generate | perplexity), <c>data</c> or <c>splits</c> + <c>split</c>, <c>prompt</c>;
/// multiple choice: <c>choices_column</c> or <c>choices</c>, <c>answer_column</c>, <c>target_delimiter</c>;
/// generate: <c>target_column</c>, <c>until</c>, <c>max_new_tokens</c>, <c>extract_regex</c>, <c>normalize</c>,
/// <c>target_delimiter</c>; perplexity: <c>text_column</c>; any kind: <c>num_fewshot</c>, <c>fewshot_split</c> or
/// <c>fewshot_data</c>, <c>fewshot_seed</c>, <c>fewshot_delimiter</c>, <c>limit</c>. Unknown keys, keys of another
/// kind and wrong types are errors naming the file, line and key.
/// </summary>
internal sealed class EvalTaskYamlReader
{
    private static readonly string[] CommonKeys =
        ["name", "kind", "data", "splits", "split", "num_fewshot", "fewshot_split", "fewshot_data", "fewshot_seed", "fewshot_delimiter", "limit"];

    private static readonly Dictionary<EvalTaskKind, string[]> KindKeys = new()
    {
        [EvalTaskKind.MultipleChoice] = ["prompt", "choices_column", "choices", "answer_column", "target_delimiter"],
        [EvalTaskKind.Generate] = ["prompt", "target_column", "until", "max_new_tokens", "extract_regex", "normalize", "target_delimiter"],
        [EvalTaskKind.Perplexity] = ["text_column"],
    };

    private static readonly Dictionary<string, EvalTaskKind> KindNames = new(StringComparer.Ordinal)
    {
        ["multiple_choice"] = EvalTaskKind.MultipleChoice,
        ["generate"] = EvalTaskKind.Generate,
        ["perplexity"] = EvalTaskKind.Perplexity,
    };

    /// <summary>How YamlDotNet's loader words a repeated mapping key.</summary>
    private const string DuplicateKeyMessage = "Duplicate key ";

    private readonly string _file;
    private readonly Action<string>? _admit;
    private readonly Dictionary<string, (YamlNode Key, YamlNode Value)> _entries = new(StringComparer.Ordinal);

    private EvalTaskYamlReader(string file, Action<string>? admit)
    {
        _file = file;
        _admit = admit;
    }

    /// <summary>
    /// Reads and checks <paramref name="yamlPath"/>; <paramref name="admit"/> sees every data file's full path before
    /// anything looks at it (it throws to refuse one).
    /// </summary>
    public static EvalTaskDefinition Read(string yamlPath, Action<string>? admit = null)
    {
        string path = Path.GetFullPath(yamlPath);
        if (!File.Exists(path)) throw new FileNotFoundException($"{yamlPath}: task file not found");
        var reader = new EvalTaskYamlReader(path, admit);
        try
        {
            return reader.Parse(YamlDocumentLoader.ReadText(path));
        }
        catch (YamlInputException e)
        {
            throw new EvalTaskFormatException(path, e.Line, null, e.Problem);
        }
    }

    private EvalTaskDefinition Parse(string text)
    {
        YamlStream stream;
        try
        {
            stream = YamlDocumentLoader.Load(text, _file);
        }
        catch (YamlException e)
        {
            string message = OneLine(e.InnerException?.Message ?? e.Message);
            if (message.StartsWith(DuplicateKeyMessage, StringComparison.Ordinal))
                throw new EvalTaskFormatException(_file, (int)e.Start.Line, message[DuplicateKeyMessage.Length..], "appears more than once");
            throw new EvalTaskFormatException(_file, (int)e.Start.Line, null, message);
        }
        if (stream.Documents.Count != 1)
            throw new EvalTaskFormatException(_file, null, null, $"expected one YAML document (found {stream.Documents.Count})");
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new EvalTaskFormatException(_file, Line(stream.Documents[0].RootNode), null, "expected a mapping of task keys");

        foreach (var (keyNode, value) in root.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
                throw new EvalTaskFormatException(_file, Line(keyNode), null, "keys must be plain strings");
            if (!_entries.TryAdd(key, (keyNode, value)))
                throw new EvalTaskFormatException(_file, Line(keyNode), key, "appears more than once");
        }

        string name = RequiredString("name");
        if (name.Trim().Length == 0) throw Error("name", "must not be empty");
        var kind = ReadKind();
        CheckKeys(kind);

        var (dataFile, split, splits) = ReadData();
        int numFewshot = OptionalInt("num_fewshot", 0, min: 0);
        string fewshotDelimiter = OptionalString("fewshot_delimiter") ?? "\n\n";
        string fewshotFile = ReadFewshotSource(dataFile, splits, numFewshot);
        if (kind == EvalTaskKind.Perplexity && numFewshot > 0) throw Error("num_fewshot", "must be 0 for kind perplexity (rolling log-likelihood takes no examples)");

        var definition = new EvalTaskDefinition
        {
            SourceFile = _file,
            Name = name,
            Kind = kind,
            DataFile = dataFile,
            Split = split,
            Splits = splits,
            NumFewshot = numFewshot,
            FewshotDataFile = fewshotFile,
            FewshotSeed = OptionalInt("fewshot_seed", EvalTaskDefinition.DefaultFewshotSeed, min: int.MinValue),
            FewshotDelimiter = fewshotDelimiter,
            Limit = _entries.ContainsKey("limit") ? OptionalInt("limit", 0, min: 1) : null,
            KeyLines = _entries.ToDictionary(e => e.Key, e => Line(e.Value.Key), StringComparer.Ordinal),
        };
        return kind switch
        {
            EvalTaskKind.MultipleChoice => ReadMultipleChoice(definition),
            EvalTaskKind.Generate => ReadGenerate(definition),
            _ => definition with { TextColumn = RequiredColumn("text_column") },
        };
    }

    private EvalTaskDefinition ReadMultipleChoice(EvalTaskDefinition definition)
    {
        bool hasColumn = _entries.ContainsKey("choices_column"), hasList = _entries.ContainsKey("choices");
        if (hasColumn == hasList)
            throw hasColumn ? Error("choices", "give either choices_column or choices, not both")
                : new EvalTaskFormatException(_file, null, "choices_column", "is required for kind multiple_choice (or a fixed 'choices' list)");
        IReadOnlyList<string>? choices = hasList ? StringList("choices") : null;
        if (choices is { Count: 0 }) throw Error("choices", "must list at least one choice");
        return definition with
        {
            Prompt = RequiredPrompt(),
            ChoicesColumn = hasColumn ? RequiredColumn("choices_column") : null,
            Choices = choices,
            AnswerColumn = RequiredColumn("answer_column"),
            TargetDelimiter = OptionalString("target_delimiter") ?? " ",
        };
    }

    private EvalTaskDefinition ReadGenerate(EvalTaskDefinition definition)
    {
        IReadOnlyList<string> until = _entries.ContainsKey("until") ? StringList("until") : [definition.FewshotDelimiter];
        Regex? extract = null;
        if (OptionalString("extract_regex") is { } pattern)
        {
            try
            {
                extract = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                throw Error("extract_regex", $"is not a valid regular expression: {OneLine(e.Message)}");
            }
        }
        var normalize = new List<AnswerNormalization>();
        if (_entries.ContainsKey("normalize"))
            foreach (var (step, line) in StringItems("normalize"))
            {
                if (!AnswerNormalizer.ByName.TryGetValue(step, out var value))
                    throw new EvalTaskFormatException(_file, line, "normalize", $"unknown step '{step}' (expected {string.Join(", ", AnswerNormalizer.ByName.Keys)})");
                normalize.Add(value);
            }
        return definition with
        {
            Prompt = RequiredPrompt(),
            TargetColumn = RequiredColumn("target_column"),
            Until = until,
            MaxNewTokens = OptionalInt("max_new_tokens", EvalTaskDefinition.DefaultMaxNewTokens, min: 1),
            ExtractRegex = extract,
            Normalize = normalize,
            TargetDelimiter = OptionalString("target_delimiter") ?? " ",
        };
    }

    private EvalTaskKind ReadKind()
    {
        string kind = RequiredString("kind");
        return KindNames.TryGetValue(kind, out var value) ? value
            : throw Error("kind", $"'{kind}' is not a task kind (expected {string.Join(", ", KindNames.Keys)})");
    }

    private void CheckKeys(EvalTaskKind kind)
    {
        var allowed = CommonKeys.Concat(KindKeys[kind]).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, (keyNode, _)) in _entries)
        {
            if (allowed.Contains(key)) continue;
            var owner = KindKeys.Where(k => k.Value.Contains(key)).Select(k => KindNames.First(n => n.Value == k.Key).Key).FirstOrDefault();
            throw new EvalTaskFormatException(_file, Line(keyNode), key, owner is null
                ? $"unknown key (expected one of: {string.Join(", ", allowed.Order(StringComparer.Ordinal))})"
                : $"does not apply to kind {KindNames.First(n => n.Value == kind).Key} (it is a {owner} key)");
        }
    }

    private (string DataFile, string? Split, IReadOnlyDictionary<string, string> Splits) ReadData()
    {
        bool hasData = _entries.ContainsKey("data"), hasSplits = _entries.ContainsKey("splits");
        if (hasData && hasSplits) throw Error("splits", "give either data or splits, not both");
        if (!hasData && !hasSplits) throw new EvalTaskFormatException(_file, null, "data", "is required (a Parquet file, or 'splits' with 'split')");
        if (hasData)
        {
            if (_entries.ContainsKey("split")) throw Error("split", "needs 'splits' (a single 'data' file has no splits)");
            return (ResolveFile("data", RequiredString("data"), Line(_entries["data"].Value)), null, new Dictionary<string, string>());
        }

        var (splitsKey, splitsNode) = _entries["splits"];
        if (splitsNode is not YamlMappingNode mapping || mapping.Children.Count == 0)
            throw new EvalTaskFormatException(_file, Line(splitsKey), "splits", "must be a non-empty mapping of split name to Parquet file");
        var splits = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (nameNode, fileNode) in mapping.Children)
        {
            string splitName = ScalarText(nameNode, "splits");
            string file = ScalarText(fileNode, $"splits.{splitName}");
            splits[splitName] = ResolveFile($"splits.{splitName}", file, Line(fileNode));
        }
        if (!_entries.ContainsKey("split"))
            throw new EvalTaskFormatException(_file, Line(splitsKey), "split", $"is required with 'splits' (one of: {string.Join(", ", splits.Keys)})");
        string split = RequiredString("split");
        return splits.TryGetValue(split, out string? dataFile) ? (dataFile, split, splits)
            : throw Error("split", $"'{split}' is not one of the splits ({string.Join(", ", splits.Keys)})");
    }

    private string ReadFewshotSource(string dataFile, IReadOnlyDictionary<string, string> splits, int numFewshot)
    {
        bool hasSplit = _entries.ContainsKey("fewshot_split"), hasData = _entries.ContainsKey("fewshot_data");
        if (hasSplit && hasData) throw Error("fewshot_data", "give either fewshot_split or fewshot_data, not both");
        if ((hasSplit || hasData) && numFewshot == 0)
            throw Error(hasSplit ? "fewshot_split" : "fewshot_data", "has no effect without num_fewshot > 0");
        if (hasData) return ResolveFile("fewshot_data", RequiredString("fewshot_data"), Line(_entries["fewshot_data"].Value));
        if (!hasSplit) return dataFile;
        string split = RequiredString("fewshot_split");
        if (splits.Count == 0) throw Error("fewshot_split", "needs 'splits' (use fewshot_data to name a file)");
        return splits.TryGetValue(split, out string? file) ? file
            : throw Error("fewshot_split", $"'{split}' is not one of the splits ({string.Join(", ", splits.Keys)})");
    }

    private string ResolveFile(string key, string relative, int line)
    {
        if (relative.Trim().Length == 0) throw new EvalTaskFormatException(_file, line, key, "must name a Parquet file");
        string full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(_file)!, relative));
        _admit?.Invoke(full);
        return File.Exists(full) ? full : throw new EvalTaskFormatException(_file, line, key, $"file '{relative}' not found ({full})");
    }

    private PromptTemplate RequiredPrompt()
    {
        string text = RequiredString("prompt");
        try
        {
            return PromptTemplate.Parse(text);
        }
        catch (FormatException e)
        {
            throw Error("prompt", e.Message);
        }
    }

    private string RequiredColumn(string key)
    {
        string column = RequiredString(key);
        return column.Length > 0 ? column : throw Error(key, "must name a column");
    }

    private string RequiredString(string key) =>
        OptionalString(key) ?? throw new EvalTaskFormatException(_file, null, key, "is required");

    private string? OptionalString(string key) =>
        _entries.TryGetValue(key, out var entry) ? ScalarText(entry.Value, key) : null;

    private int OptionalInt(string key, int fallback, int min)
    {
        if (!_entries.TryGetValue(key, out var entry)) return fallback;
        if (entry.Value is not YamlScalarNode { Style: ScalarStyle.Plain, Value: { } text }
            || !int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
            throw new EvalTaskFormatException(_file, Line(entry.Value), key, $"must be an integer (got {Describe(entry.Value)})");
        return value >= min ? value : throw new EvalTaskFormatException(_file, Line(entry.Value), key, $"must be at least {min} (got {value})");
    }

    private List<string> StringList(string key) => StringItems(key).Select(i => i.Text).ToList();

    private List<(string Text, int Line)> StringItems(string key)
    {
        var node = _entries[key].Value;
        if (node is not YamlSequenceNode sequence)
            throw new EvalTaskFormatException(_file, Line(node), key, $"must be a list of strings (got {Describe(node)})");
        return sequence.Children.Select(item => (ScalarText(item, key), Line(item))).ToList();
    }

    /// <summary>The text of a scalar; a plain null (<c>~</c>, <c>null</c>, nothing) or a list or mapping is an error.</summary>
    private string ScalarText(YamlNode node, string key)
    {
        if (node is YamlScalarNode scalar && scalar.Value is { } text && !(scalar.Style == ScalarStyle.Plain && text is "" or "~" or "null" or "Null" or "NULL"))
            return text;
        throw new EvalTaskFormatException(_file, Line(node), key, $"must be a string (got {Describe(node)})");
    }

    private EvalTaskFormatException Error(string key, string problem) =>
        new(_file, _entries.TryGetValue(key, out var entry) ? Line(entry.Key) : null, key, problem);

    private static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "" or "~" or "null" or "Null" or "NULL" or null } => "null",
        YamlScalarNode { Style: ScalarStyle.Plain } s => $"'{Escape(s.Value!)}'",
        YamlScalarNode s => $"the string '{Escape(s.Value ?? "")}'",
        _ => node.NodeType.ToString(),
    };

    private static string Escape(string text) => text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
