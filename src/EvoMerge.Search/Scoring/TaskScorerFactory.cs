using EvoMerge.Search.Configuration;

namespace EvoMerge.Search.Scoring;

/// <summary>
/// Opens task YAML files as <see cref="ITaskScorer"/>s by their <c>kind</c>. Known kinds: <c>token_choice</c>
/// (<see cref="TokenChoiceTask"/>). Errors name the task file and field.
/// </summary>
public static class TaskScorerFactory
{
    /// <summary>Opens a task file.</summary>
    public static ITaskScorer Open(string path, int batchTokenBudget = 4096)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: task file not found", path);
        var document = LocatedJson.Parse(File.ReadAllText(path), path);
        if (document.Root is not System.Text.Json.Nodes.JsonObject root) throw new InvalidDataException($"{path}: a task file must be a mapping");
        string Field(string name, string? fallback = null) =>
            root[name]?.ToString() ?? fallback ?? throw new InvalidDataException($"{path}:{document.LineOf("")}: missing required key '{name}'");
        string kind = Field("kind");
        foreach (var (key, _) in root)
        {
            if (key is not ("kind" or "name" or "split" or "data" or "description"))
                throw new InvalidDataException($"{path}:{document.LineOf(key)}: {key}: unknown key (expected kind, name, split, data, description)");
        }
        return kind switch
        {
            TokenChoiceTask.Kind => new TokenChoiceTask(Field("name", Path.GetFileNameWithoutExtension(path)), Path.GetFullPath(path), Field("split"),
                TokenChoiceTask.ReadItems(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Field("data"))), batchTokenBudget),
            _ => throw new InvalidDataException($"{path}:{document.LineOf("kind")}: kind: '{kind}' is not a known task kind (known: {TokenChoiceTask.Kind})"),
        };
    }
}
