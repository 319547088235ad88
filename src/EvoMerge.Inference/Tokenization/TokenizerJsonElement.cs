using System.Globalization;
using System.Text.Json;

namespace EvoMerge.Inference.Tokenization;

/// <summary>A JSON value of a tokenizer file that knows its file and path, so every error can name both.</summary>
internal readonly record struct TokenizerJsonElement(JsonElement Value, string File, string Path)
{
    /// <summary>The required member <paramref name="name"/> (present and not null).</summary>
    public TokenizerJsonElement Get(string name) =>
        Find(name) ?? throw new TokenizerFormatException(File, Child(name), "is missing");

    /// <summary>The member <paramref name="name"/>, or null when it is absent or JSON null.</summary>
    public TokenizerJsonElement? Find(string name)
    {
        if (Value.ValueKind != JsonValueKind.Object) throw Error($"must be an object, not {Kind(Value)}");
        return Value.TryGetProperty(name, out var member) && member.ValueKind != JsonValueKind.Null
            ? new TokenizerJsonElement(member, File, Child(name))
            : null;
    }

    public string GetString(string name) => Get(name).AsString();

    public string? FindString(string name) => Find(name)?.AsString();

    public bool FindBool(string name, bool fallback) => Find(name)?.AsBool() ?? fallback;

    public int GetInt(string name) => Get(name).AsInt();

    public string AsString() =>
        Value.ValueKind == JsonValueKind.String ? Value.GetString()! : throw Error($"must be a string, not {Kind(Value)}");

    public bool AsBool() => Value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw Error($"must be true or false, not {Kind(Value)}"),
    };

    public int AsInt() =>
        Value.ValueKind == JsonValueKind.Number && Value.TryGetInt32(out int n) ? n : throw Error($"must be an integer, not {Kind(Value)}");

    /// <summary>The items of an array, each with its index in the path.</summary>
    public IEnumerable<TokenizerJsonElement> Items()
    {
        if (Value.ValueKind != JsonValueKind.Array) throw Error($"must be an array, not {Kind(Value)}");
        int i = 0;
        foreach (var item in Value.EnumerateArray())
            yield return new TokenizerJsonElement(item, File, $"{Path}[{i++}]");
    }

    /// <summary>The members of an object.</summary>
    public IEnumerable<(string Name, TokenizerJsonElement Value)> Members()
    {
        if (Value.ValueKind != JsonValueKind.Object) throw Error($"must be an object, not {Kind(Value)}");
        foreach (var member in Value.EnumerateObject())
            yield return (member.Name, new TokenizerJsonElement(member.Value, File, Child(member.Name)));
    }

    public TokenizerFormatException Error(string problem) => new(File, Path.Length == 0 ? null : Path, problem);

    /// <summary>"'Value' is not supported" for this element's string value.</summary>
    public TokenizerFormatException Unsupported() =>
        Error($"'{(Value.ValueKind == JsonValueKind.String ? Value.GetString() : Value.GetRawText())}' is not supported");

    /// <summary>Parses a whole file; a syntax error names the file and the line.</summary>
    public static (JsonDocument Document, TokenizerJsonElement Root) Parse(string path)
    {
        try
        {
            using var stream = System.IO.File.OpenRead(path);
            var document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true });
            return (document, new TokenizerJsonElement(document.RootElement, path, ""));
        }
        catch (JsonException e)
        {
            throw new TokenizerFormatException(path, null,
                $"is not valid JSON (line {(e.LineNumber + 1)?.ToString(CultureInfo.InvariantCulture) ?? "?"}): {e.Message}");
        }
    }

    private string Child(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();
}
