using System.Text.Json.Nodes;
using EvoMerge.Evaluation;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using EvoMerge.Tensors;

namespace EvoMerge.Cluster;

/// <summary>
/// The directories a worker may open model and data files under (<c>evomerge worker --allow-path DIR</c>, and its
/// <c>--config-dir</c>), compared after resolving every symbolic link (<see cref="RealPath"/>): a session's base and
/// source models (and every entry in those directories), task files, their data files and proxy tasks must resolve
/// inside one. Any other path is refused before anything looks at it, with the same message whether it exists or not.
/// </summary>
public sealed class WorkerFileAccess
{
    private readonly string[] _roots;

    /// <param name="roots">Allowed directories (none: the worker opens nothing).</param>
    public WorkerFileAccess(IEnumerable<string> roots) =>
        _roots = [.. roots.Select(r => RealPath.Resolve(Path.GetFullPath(r))).Distinct(StringComparer.Ordinal)];

    /// <summary>The allowed directories, resolved.</summary>
    public IReadOnlyList<string> Roots => _roots;

    /// <summary>Throws the refusal unless <paramref name="path"/> resolves inside an allowed directory.</summary>
    public void Check(string path)
    {
        string real;
        try
        {
            real = RealPath.Resolve(Path.GetFullPath(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw Refusal(path);
        }
        if (!_roots.Any(root => real == root || real.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            throw Refusal(path);
    }

    /// <summary>
    /// Checks the proxy task paths of config <paramref name="text"/> (resolved against <paramref name="directory"/>)
    /// before <see cref="SearchConfigReader.Parse"/>, which looks for them.
    /// </summary>
    public void CheckBeforeParse(string text, string file, string directory)
    {
        if (LocatedJson.Parse(text, file).Root is JsonObject root && root["merge"] is JsonObject merge && merge["proxy_tasks"] is JsonArray tasks)
            foreach (var task in tasks)
                if (task is JsonValue value && value.TryGetValue(out string? relative))
                    Check(Path.GetFullPath(Path.Combine(directory, relative)));
    }

    /// <summary>Checks every path a parsed session config makes the worker open (before any of it is opened).</summary>
    public void Check(SearchConfig config)
    {
        foreach (string model in config.Models.Prepend(config.BaseModel).SelectMany(LoraSources.Parts))
        {
            Check(model);
            if (!Directory.Exists(model)) continue;
            foreach (string entry in Directory.EnumerateFileSystemEntries(model)) Check(entry);
        }
        foreach (string task in config.TaskFiles.Concat(config.ProxyTasks ?? []))
        {
            Check(task);
            if (File.Exists(task)) EvalTaskDefinition.Read(task, Check);
        }
    }

    private static UnauthorizedAccessException Refusal(string path) =>
        new($"{path}: refused: not inside a directory this worker allows (evomerge worker --allow-path DIR)");
}
