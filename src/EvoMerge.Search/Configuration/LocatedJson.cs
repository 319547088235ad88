using System.Globalization;
using System.Text.Json.Nodes;
using EvoMerge.Tensors.Yaml;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EvoMerge.Search.Configuration;

/// <summary>
/// A YAML (or JSON) document as a <see cref="JsonNode"/> tree plus the line of every node, keyed by its path
/// (<c>genome.layer_groups</c>, <c>objectives[0].task</c>; the root is the empty path). Plain scalars become
/// booleans, integers, numbers or null as YAML 1.2's core schema reads them; quoted scalars stay strings.
/// </summary>
public sealed class LocatedJson
{
    private readonly Dictionary<string, int> _lines;

    private LocatedJson(JsonNode? root, Dictionary<string, int> lines)
    {
        Root = root;
        _lines = lines;
    }

    /// <summary>The document.</summary>
    public JsonNode? Root { get; }

    /// <summary>
    /// Parses YAML or JSON text under <see cref="YamlLimits.Default"/>; syntax errors and documents over a limit
    /// name <paramref name="file"/> and the line.
    /// </summary>
    public static LocatedJson Parse(string text, string file)
    {
        YamlStream stream;
        try
        {
            stream = YamlDocumentLoader.Load(text, file);
        }
        catch (YamlInputException e)
        {
            throw new SearchConfigException(file, e.Line, e.Problem);
        }
        catch (YamlException e)
        {
            throw new SearchConfigException(file, (int)e.Start.Line, $"not valid YAML or JSON ({OneLine((e.InnerException ?? e).Message)})");
        }
        if (stream.Documents.Count == 0) throw new SearchConfigException(file, null, "the config is empty");
        if (stream.Documents.Count > 1) throw new SearchConfigException(file, (int)stream.Documents[1].RootNode.Start.Line, "a config is one YAML document; found more");
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var root = Convert(stream.Documents[0].RootNode, "", lines, file);
        return new LocatedJson(root, lines);
    }

    /// <summary>The line of the node at <paramref name="path"/>, else of its nearest ancestor that has one.</summary>
    public int? LineOf(string path)
    {
        while (true)
        {
            if (_lines.TryGetValue(path, out int line)) return line;
            if (path.Length == 0) return null;
            int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            path = cut < 0 ? "" : path[..cut];
        }
    }

    /// <summary>Joins a property name onto a path.</summary>
    public static string Child(string path, string property) => path.Length == 0 ? property : path + "." + property;

    /// <summary>Joins an array index onto a path.</summary>
    public static string Item(string path, int index) => path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]";

    private static JsonNode? Convert(YamlNode node, string path, Dictionary<string, int> lines, string file)
    {
        lines[path] = (int)node.Start.Line;
        switch (node)
        {
            case YamlMappingNode map:
                var obj = new JsonObject();
                foreach (var (key, value) in map.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                        throw new SearchConfigException(file, (int)key.Start.Line, $"{(path.Length == 0 ? "the top level" : path)}: keys must be plain names");
                    if (obj.ContainsKey(name))
                        throw new SearchConfigException(file, (int)key.Start.Line, $"{Child(path, name)}: key given twice");
                    string childPath = Child(path, name);
                    obj[name] = Convert(value, childPath, lines, file);
                    lines[childPath] = (int)key.Start.Line;
                }
                return obj;
            case YamlSequenceNode list:
                var array = new JsonArray();
                for (int i = 0; i < list.Children.Count; i++) array.Add(Convert(list.Children[i], Item(path, i), lines, file));
                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new SearchConfigException(file, (int)node.Start.Line, $"{path}: unsupported YAML node (anchors and aliases are not supported)");
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        string text = scalar.Value ?? "";
        if (scalar.Style is not (ScalarStyle.Plain or ScalarStyle.Any)) return JsonValue.Create(text);
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }
        // Numbers are built from JSON text so that they convert to any numeric type (int, long, double) on read.
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long integer))
            return JsonNode.Parse(integer.ToString(CultureInfo.InvariantCulture));
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number))
            return JsonNode.Parse(number.ToString("R", CultureInfo.InvariantCulture));
        return JsonValue.Create(text);
    }
}
