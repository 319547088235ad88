using System.Text.Json.Nodes;
using EvoMerge.Merging;
using EvoMerge.Merging.Methods;
using EvoMerge.Search.Configuration;
using EvoMerge.Tensors.Yaml;

namespace EvoMerge.Search.Sweeps;

/// <summary>
/// Reads a sweep config: a YAML search config with a top-level <c>sweep:</c> block. Everything but the block is read
/// by <see cref="SearchConfigReader"/> (same schema, same errors and line numbers; <c>genome</c>, <c>optimizer</c>,
/// <c>budget</c> and <c>seed</c> may be left out, a sweep does not use them; the seed is the merge seed, default 0).
/// The block (docs/sweep.md):
/// <code>
/// sweep:
///   grid: {method: ties, parameters: {density: [0.2, 0.5, 0.8]}, fixed: {weight: 1.0}}   # one or two parameters
///   path: {method: task_arithmetic, parameters: {weight: 1.0}, t: [0, 0.5, 1]}         # default t: 0, 0.1, …, 1
///   greedy_soup: true
/// </code>
/// Errors are one line naming the file, the line and the path, as the search config's.
/// </summary>
public static class SweepConfigReader
{
    /// <summary>The top-level key of the block.</summary>
    public const string BlockName = "sweep";

    /// <summary>The keys the block takes (the schema's <c>$defs.sweep</c> lists the same).</summary>
    public static IReadOnlyList<string> BlockKeys { get; } = ["grid", "path", "greedy_soup"];

    /// <summary>The keys <c>sweep.grid</c> takes.</summary>
    public static IReadOnlyList<string> GridKeys { get; } = ["method", "parameters", "fixed"];

    /// <summary>The keys <c>sweep.path</c> takes.</summary>
    public static IReadOnlyList<string> PathKeys { get; } = ["method", "parameters", "t"];

    private static readonly string[] Optional =
        [$"genome: {{methods: [{TaskArithmeticMerge.MethodName}], layer_groups: 1}}", "optimizer: {name: random}", "budget: {evaluations: 1}", "seed: 0"];

    /// <summary>Reads <paramref name="path"/>; <paramref name="runDirectory"/>, when given, replaces its <c>run_dir</c>.</summary>
    public static SweepConfig ReadFile(string path, string? runDirectory = null)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: sweep config not found", path);
        string text;
        try
        {
            text = YamlDocumentLoader.ReadText(path);
        }
        catch (YamlInputException e)
        {
            throw new SearchConfigException(path, e.Line, e.Problem);
        }
        return Parse(text, path, Path.GetDirectoryName(Path.GetFullPath(path))!, runDirectory);
    }

    /// <summary>Parses config text; <paramref name="file"/> names it in messages, relative paths resolve against <paramref name="directory"/>.</summary>
    public static SweepConfig Parse(string text, string file, string directory, string? runDirectory = null, MergeMethodRegistry? methods = null)
    {
        var document = LocatedJson.Parse(text, file);
        if (document.Root is not JsonObject root || root[BlockName] is not JsonObject block)
            throw new SearchConfigException(file, null, $"{BlockName}: missing; a sweep config is a search config with a top-level {BlockName}: block (docs/sweep.md)");
        if (text.TrimStart().StartsWith('{')) throw new SearchConfigException(file, 1, "a sweep config is written as YAML, in block style");
        var config = SearchConfigReader.Parse(WithoutBlock(text, root, document), file, directory, methods, runDirectory);
        var reader = new Located(file, document);
        var settings = new SweepSettings(
            block["grid"] is { } grid ? Grid(reader, grid, config) : null,
            block["path"] is { } path ? PathSettings(reader, path, config) : null,
            block["greedy_soup"] is { } soup && reader.Flag(soup, "sweep.greedy_soup"));
        foreach (string key in block.Select(p => p.Key).Where(k => !BlockKeys.Contains(k)))
            throw reader.Error($"sweep.{key}", $"unknown key (sweep takes {string.Join(", ", BlockKeys)})");
        if (settings is { Grid: null, Path: null, GreedySoup: false }) throw reader.Error(BlockName, "nothing to evaluate: give grid, path or greedy_soup: true");
        if (settings.GreedySoup && config.Models.Count < 2) throw reader.Error("sweep.greedy_soup", "a soup needs at least 2 models");
        if (settings.GreedySoup && config.Genome.Normalize == false)
            throw reader.Error("sweep.greedy_soup", "a soup is a normalised average; genome.normalize: false would sum the models instead");
        return new SweepConfig(config, settings, text);
    }

    /// <summary>The text with the block's lines blanked (so every other line keeps its number) and the search-only keys it lacks added.</summary>
    private static string WithoutBlock(string text, JsonObject root, LocatedJson document)
    {
        var lines = text.Split('\n');
        int start = document.LineOf(BlockName)!.Value;
        int end = root.Select(p => document.LineOf(p.Key)!.Value).Where(l => l > start).DefaultIfEmpty(lines.Length + 1).Min();
        for (int line = start; line < end && line <= lines.Length; line++) lines[line - 1] = "";
        var missing = Optional.Where(o => !root.ContainsKey(o[..o.IndexOf(':')]));
        return string.Join('\n', lines) + "\n" + string.Join('\n', missing) + "\n";
    }

    private static SweepGrid Grid(Located reader, JsonNode node, SearchConfig config)
    {
        var grid = reader.Object(node, "sweep.grid", GridKeys);
        var method = reader.Method(grid, "sweep.grid", config);
        var axes = reader.Numbers(grid["parameters"], "sweep.grid.parameters", method, list: true);
        if (axes.Count is < 1 or > 2) throw reader.Error("sweep.grid.parameters", "give one or two parameters, each with a list of values");
        var fixedValues = reader.Numbers(grid["fixed"], "sweep.grid.fixed", method, list: false).ToDictionary(a => a.Name, a => a.Values[0], StringComparer.Ordinal);
        foreach (var axis in axes.Where(a => fixedValues.ContainsKey(a.Name)))
            throw reader.Error($"sweep.grid.fixed.{axis.Name}", "is also a grid parameter");
        return new SweepGrid(method.Name, [.. axes], fixedValues);
    }

    private static SweepPath PathSettings(Located reader, JsonNode node, SearchConfig config)
    {
        var path = reader.Object(node, "sweep.path", PathKeys);
        var method = reader.Method(path, "sweep.path", config);
        if (!method.Parameters.Any(p => p.Name == SweepPlan.LambdaParameter))
            throw reader.Error("sweep.path.method", $"'{method.Name}' has no {SweepPlan.LambdaParameter} to scale its task vector by t; use one that has ("
                + string.Join(", ", config.Methods.Searchable.Where(m => m.Parameters.Any(p => p.Name == SweepPlan.LambdaParameter)).Select(m => m.Name)) + ")");
        var parameters = reader.Numbers(path["parameters"], "sweep.path.parameters", method, list: false).ToDictionary(a => a.Name, a => a.Values[0], StringComparer.Ordinal);
        double[] t = path["t"] is { } given
            ? reader.NumberList(given, "sweep.path.t")
            : [.. Enumerable.Range(0, 11).Select(i => i / 10.0)];
        return new SweepPath(method.Name, parameters, t);
    }

    /// <summary>The config's document, for errors at a path and typed reads.</summary>
    private sealed record Located(string File, LocatedJson Document)
    {
        public SearchConfigException Error(string path, string problem) => new(File, Document.LineOf(path), $"{path}: {problem}");

        public JsonObject Object(JsonNode node, string path, IReadOnlyList<string> keys)
        {
            if (node is not JsonObject obj) throw Error(path, "must be a mapping");
            foreach (string key in obj.Select(p => p.Key).Where(k => !keys.Contains(k)))
                throw Error($"{path}.{key}", $"unknown key ({path} takes {string.Join(", ", keys)})");
            return obj;
        }

        public IMergeMethod Method(JsonObject node, string path, SearchConfig config)
        {
            string at = path + ".method";
            if (node["method"] is not JsonValue value || !value.TryGetValue(out string? name)) throw Error(at, "required: a merge method name");
            if (!config.Methods.Contains(name)) throw Error(at, $"unknown merge method '{name}' (see evomerge methods)");
            var method = config.Methods.Get(name);
            if (method.Search is null) throw Error(at, $"'{name}' cannot be built from the config's models (it declares no search support)");
            return method;
        }

        public bool Flag(JsonNode node, string path) =>
            node is JsonValue value && value.TryGetValue(out bool flag) ? flag : throw Error(path, "must be true or false");

        public double[] NumberList(JsonNode node, string path)
        {
            if (node is not JsonArray { Count: > 0 } list) throw Error(path, "must be a non-empty list of numbers");
            return [.. list.Select((v, i) => Number(v, LocatedJson.Item(path, i)))];
        }

        public List<(string Name, double[] Values)> Numbers(JsonNode? node, string path, IMergeMethod method, bool list)
        {
            if (node is null) return [];
            if (node is not JsonObject obj) throw Error(path, "must be a mapping of parameter names to " + (list ? "lists of numbers" : "numbers"));
            var result = new List<(string, double[])>();
            foreach (var (name, value) in obj)
            {
                string at = LocatedJson.Child(path, name);
                var declared = method.Parameters.FirstOrDefault(p => p.Name == name);
                if (declared is null || declared.Kind != ParameterKind.Number)
                    throw Error(at, $"'{method.Name}' has no numeric parameter '{name}' (it has {string.Join(", ", method.Parameters.Where(p => p.Kind == ParameterKind.Number).Select(p => p.Name))})");
                result.Add((name, list ? NumberList(value!, at) : [Number(value, at)]));
            }
            return result;
        }

        private double Number(JsonNode? node, string path) =>
            node is JsonValue value && value.TryGetValue(out double number) && double.IsFinite(number) ? number : throw Error(path, "must be a number");
    }
}
