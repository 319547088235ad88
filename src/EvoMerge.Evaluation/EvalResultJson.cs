using System.Text.Json;

namespace EvoMerge.Evaluation;

/// <summary>
/// Writes an <see cref="EvalResult"/> as JSON: <c>{"model", "tasks": [{"name", "kind", "source", "documents",
/// "elapsed_seconds", "metrics": {NAME: {"value", "stderr", "n", "higher_is_better"}}}]}</c>. Values that are not
/// finite (and a missing standard error) are written as null.
/// </summary>
public static class EvalResultJson
{
    /// <summary>YAML/JSON name of a task kind.</summary>
    public static string KindName(EvalTaskKind kind) => kind switch
    {
        EvalTaskKind.MultipleChoice => "multiple_choice",
        EvalTaskKind.Generate => "generate",
        _ => "perplexity",
    };

    /// <summary>Writes <paramref name="result"/> for the model at <paramref name="modelPath"/> to <paramref name="output"/>.</summary>
    public static void Write(EvalResult result, string modelPath, Stream output)
    {
        using var json = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        json.WriteStartObject();
        json.WriteString("model", modelPath);
        json.WriteStartArray("tasks");
        foreach (var task in result.Tasks)
        {
            json.WriteStartObject();
            json.WriteString("name", task.Name);
            json.WriteString("kind", KindName(task.Kind));
            json.WriteString("source", task.SourceFile);
            json.WriteNumber("documents", task.Records.Count);
            json.WriteNumber("elapsed_seconds", Math.Round(task.Elapsed.TotalSeconds, 3));
            json.WriteStartObject("metrics");
            foreach (var metric in task.Metrics)
            {
                json.WriteStartObject(metric.Name);
                WriteNumber(json, "value", metric.Value);
                WriteNumber(json, "stderr", metric.StandardError);
                json.WriteNumber("n", metric.Count);
                json.WriteBoolean("higher_is_better", metric.HigherIsBetter);
                json.WriteEndObject();
            }
            json.WriteEndObject();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A finite number, or null.</summary>
    internal static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is double v && double.IsFinite(v)) json.WriteNumber(name, v);
        else json.WriteNull(name);
    }
}
