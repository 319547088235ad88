using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EvoMerge.Search.Configuration;

/// <summary>
/// Validates a JSON tree against the subset of JSON Schema 2020-12 that <c>search-space.schema.json</c> uses:
/// <c>$ref</c> (to <c>#/$defs/…</c>), <c>type</c>, <c>properties</c>, <c>required</c>, <c>additionalProperties</c>
/// (false or a schema), <c>minProperties</c>, <c>enum</c>, <c>const</c>, <c>minimum</c>, <c>maximum</c>,
/// <c>exclusiveMinimum</c>, <c>exclusiveMaximum</c>, <c>minLength</c>, <c>items</c>, <c>minItems</c>,
/// <c>maxItems</c> and <c>oneOf</c>. Annotations (description, default, title) are ignored; any other keyword is
/// rejected when the validator is built, so the schema cannot silently ask for more than is checked.
/// </summary>
public sealed class JsonSchemaValidator
{
    private static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "$schema", "$id", "$defs", "$ref", "title", "description", "default", "type", "properties", "required",
        "additionalProperties", "minProperties", "enum", "const", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
        "minLength", "items", "minItems", "maxItems", "oneOf",
    };

    private readonly JsonObject _root;

    /// <summary>A validator for <paramref name="schema"/>; an unsupported keyword is an <see cref="ArgumentException"/>.</summary>
    public JsonSchemaValidator(JsonObject schema)
    {
        _root = schema;
        CheckKeywords(schema, "#");
    }

    /// <summary>The text of the embedded <c>search-space.schema.json</c>.</summary>
    public static string SearchSpaceSchemaText()
    {
        using var stream = typeof(JsonSchemaValidator).Assembly.GetManifestResourceStream("search-space.schema.json")
            ?? throw new InvalidOperationException("search-space.schema.json is not embedded in EvoMerge.Search");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>Every violation as (path, message), in document order; empty when the value is valid.</summary>
    public IReadOnlyList<(string Path, string Message)> Validate(JsonNode? value)
    {
        var errors = new List<(string, string)>();
        Check(value, _root, "", errors);
        return errors;
    }

    private static void CheckKeywords(JsonNode? node, string where)
    {
        if (node is not JsonObject schema) return;
        foreach (var (key, child) in schema)
        {
            if (!Supported.Contains(key)) throw new ArgumentException($"schema {where}: keyword '{key}' is not supported by EvoMerge's validator");
            switch (key)
            {
                case "$defs" or "properties":
                    foreach (var (name, sub) in child!.AsObject()) CheckKeywords(sub, $"{where}/{key}/{name}");
                    break;
                case "items" or "additionalProperties":
                    CheckKeywords(child, $"{where}/{key}");
                    break;
                case "oneOf":
                    int i = 0;
                    foreach (var sub in child!.AsArray()) CheckKeywords(sub, $"{where}/oneOf/{i++}");
                    break;
            }
        }
    }

    private JsonObject Resolve(string reference)
    {
        const string prefix = "#/$defs/";
        if (!reference.StartsWith(prefix, StringComparison.Ordinal))
            throw new ArgumentException($"schema: only local references '#/$defs/NAME' are supported, found '{reference}'");
        return _root["$defs"]?[reference[prefix.Length..]] as JsonObject
            ?? throw new ArgumentException($"schema: reference '{reference}' names no definition");
    }

    private void Check(JsonNode? value, JsonObject schema, string path, List<(string, string)> errors)
    {
        if (schema["$ref"] is JsonValue reference)
        {
            Check(value, Resolve(reference.GetValue<string>()), path, errors);
        }
        if (schema["type"] is { } type && !MatchesType(value, type))
        {
            errors.Add((path, $"must be {Describe(type)}, found {Kind(value)}"));
            return;
        }
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
            errors.Add((path, $"must be one of {string.Join(", ", allowed.Select(a => a?.ToJsonString()))}, found {value?.ToJsonString() ?? "null"}"));
        if (schema.ContainsKey("const") && !JsonNode.DeepEquals(schema["const"], value))
            errors.Add((path, $"must be {schema["const"]?.ToJsonString() ?? "null"}"));
        if (value is JsonValue scalar && scalar.GetValueKind() == JsonValueKind.Number) CheckNumber(scalar.GetValue<double>(), schema, path, errors);
        if (value is JsonValue text && text.GetValueKind() == JsonValueKind.String && schema["minLength"] is JsonValue minLength
            && text.GetValue<string>().Length < minLength.GetValue<int>())
            errors.Add((path, minLength.GetValue<int>() == 1 ? "must not be empty" : $"must have at least {minLength} characters"));
        if (value is JsonObject obj) CheckObject(obj, schema, path, errors);
        if (value is JsonArray array) CheckArray(array, schema, path, errors);
        if (schema["oneOf"] is JsonArray branches)
        {
            var branchErrors = branches.Select(b =>
            {
                var found = new List<(string, string)>();
                Check(value, b!.AsObject(), path, found);
                return found;
            }).ToList();
            int matching = branchErrors.Count(e => e.Count == 0);
            if (matching == 0) errors.Add(branchErrors.OrderBy(e => e.Count).First()[0]);
            else if (matching > 1) errors.Add((path, $"matches {matching} alternatives; it must match exactly one"));
        }
    }

    private static void CheckNumber(double number, JsonObject schema, string path, List<(string, string)> errors)
    {
        string F(JsonNode n) => n.GetValue<double>().ToString("R", CultureInfo.InvariantCulture);
        if (schema["minimum"] is { } min && number < min.GetValue<double>()) errors.Add((path, $"must be ≥ {F(min)}"));
        if (schema["maximum"] is { } max && number > max.GetValue<double>()) errors.Add((path, $"must be ≤ {F(max)}"));
        if (schema["exclusiveMinimum"] is { } emin && number <= emin.GetValue<double>()) errors.Add((path, $"must be > {F(emin)}"));
        if (schema["exclusiveMaximum"] is { } emax && number >= emax.GetValue<double>()) errors.Add((path, $"must be < {F(emax)}"));
    }

    private void CheckObject(JsonObject obj, JsonObject schema, string path, List<(string, string)> errors)
    {
        var properties = schema["properties"] as JsonObject;
        if (schema["required"] is JsonArray required)
        {
            foreach (var name in required.Select(r => r!.GetValue<string>()))
                if (!obj.ContainsKey(name) || obj[name] is null)
                    errors.Add((path, $"missing required key '{name}'"));
        }
        if (schema["minProperties"] is JsonValue minProperties && obj.Count(p => p.Value is not null) < minProperties.GetValue<int>())
            errors.Add((path, $"must set at least {minProperties} of: {string.Join(", ", properties?.Select(p => p.Key) ?? [])}"));
        foreach (var (name, child) in obj)
        {
            string childPath = LocatedJson.Child(path, name);
            if (properties?[name] is JsonObject sub)
            {
                if (child is not null) Check(child, sub, childPath, errors);
            }
            else if (schema["additionalProperties"] is JsonValue extra && extra.GetValueKind() == JsonValueKind.False)
            {
                string known = properties is null ? "none" : string.Join(", ", properties.Select(p => p.Key));
                errors.Add((childPath, $"unknown key '{name}' (expected one of: {known})"));
            }
            else if (schema["additionalProperties"] is JsonObject extraSchema && child is not null)
            {
                Check(child, extraSchema, childPath, errors);
            }
        }
    }

    private void CheckArray(JsonArray array, JsonObject schema, string path, List<(string, string)> errors)
    {
        if (schema["minItems"] is JsonValue minItems && array.Count < minItems.GetValue<int>())
            errors.Add((path, $"must have at least {minItems} item{(minItems.GetValue<int>() == 1 ? "" : "s")}"));
        if (schema["maxItems"] is JsonValue maxItems && array.Count > maxItems.GetValue<int>())
            errors.Add((path, $"must have at most {maxItems} item{(maxItems.GetValue<int>() == 1 ? "" : "s")}"));
        if (schema["items"] is JsonObject items)
        {
            for (int i = 0; i < array.Count; i++) Check(array[i], items, LocatedJson.Item(path, i), errors);
        }
    }

    private static bool MatchesType(JsonNode? value, JsonNode type) =>
        type is JsonArray types ? types.Any(t => MatchesType(value, t!.GetValue<string>())) : MatchesType(value, type.GetValue<string>());

    private static bool MatchesType(JsonNode? value, string type) => type switch
    {
        "null" => value is null,
        "object" => value is JsonObject,
        "array" => value is JsonArray,
        "string" => value is JsonValue v && v.GetValueKind() == JsonValueKind.String,
        "boolean" => value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "number" => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number,
        "integer" => value is JsonValue v && v.GetValueKind() == JsonValueKind.Number && IsInteger(v),
        _ => throw new ArgumentException($"schema: unknown type '{type}'"),
    };

    private static bool IsInteger(JsonValue value)
    {
        double d = value.GetValue<double>();
        return Math.Floor(d) == d && Math.Abs(d) < 9e15;
    }

    private static string Describe(JsonNode type) => type is JsonArray types
        ? string.Join(" or ", types.Select(t => Article(t!.GetValue<string>())))
        : Article(type.GetValue<string>());

    private static string Article(string type) => type switch
    {
        "object" => "a mapping",
        "array" => "a list",
        "integer" => "an integer",
        "null" => "null",
        _ => "a " + type,
    };

    private static string Kind(JsonNode? value) => value switch
    {
        null => "nothing",
        JsonObject => "a mapping",
        JsonArray => "a list",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => $"'{v.GetValue<string>()}'",
            _ => v.ToJsonString(),
        },
        _ => "something else",
    };
}
