using System.Text.Json.Nodes;

namespace EvoMerge.Tensors;

/// <summary>Typed reads of one field of a JSON config file (config.json, adapter_config.json); errors name the file and field.</summary>
public static class JsonConfigField
{
    /// <summary>Field <c>field</c> of a config as string, null when absent; a wrong type names the file and field.</summary>
    public static string? String(JsonObject root, string field, string path) => root[field] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out string? s) => s,
        _ => throw new ModelConfigException(path, field, "must be a string"),
    };

    /// <summary>Field <c>field</c> of a config as int, null when absent; a wrong type names the file and field.</summary>
    public static int? Int(JsonObject root, string field, string path) => root[field] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out int i) => i,
        JsonValue v when v.TryGetValue(out double d) && d == Math.Floor(d) && Math.Abs(d) < int.MaxValue => (int)d,
        _ => throw new ModelConfigException(path, field, "must be an integer"),
    };

    /// <summary>Field <c>field</c> of a config as double, null when absent; a wrong type names the file and field.</summary>
    public static double? Double(JsonObject root, string field, string path) => root[field] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out double d) => d,
        _ => throw new ModelConfigException(path, field, "must be a number"),
    };

    /// <summary>Field <c>field</c> of a config as bool, null when absent; a wrong type names the file and field.</summary>
    public static bool? Bool(JsonObject root, string field, string path) => root[field] switch
    {
        null => null,
        JsonValue v when v.TryGetValue(out bool b) => b,
        _ => throw new ModelConfigException(path, field, "must be true or false"),
    };
}
