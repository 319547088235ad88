using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EvoMerge.Tensors.Yaml;

/// <summary>
/// A YamlDotNet parser that counts as it goes and stops at the first event past a <see cref="YamlLimits"/>: nodes
/// with aliases expanded (an alias counts every node of what it names), aliases, and depth (levels of mappings and sequences). Counting happens on the
/// event stream, before any tree is built, so a billion-laughs document stops after a few hundred events.
/// </summary>
internal sealed class LimitedYamlParser(IParser inner, YamlLimits limits, string file) : IParser
{
    private sealed class OpenNode(string? anchor)
    {
        public string? Anchor { get; } = anchor;
        public long Nodes { get; set; } = 1;
        public int Height { get; set; } = 1;
    }

    private readonly Dictionary<string, (long Nodes, int Height)> _anchors = new(StringComparer.Ordinal);
    private readonly Stack<OpenNode> _open = new();
    private long _nodes;
    private int _aliases;

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        if (!inner.MoveNext()) return false;
        switch (inner.Current)
        {
            case Scalar scalar:
                Count(1);
                Finish(AnchorName(scalar.Anchor), 1, 0);
                break;
            case SequenceStart or MappingStart:
                Count(1);
                if (_open.Count + 1 > limits.MaxDepth) throw Over($"nesting deeper than {limits.MaxDepth} levels (limit MaxDepth)");
                _open.Push(new OpenNode(AnchorName(((NodeEvent)inner.Current).Anchor)));
                break;
            case SequenceEnd or MappingEnd:
                var done = _open.Pop();
                Finish(done.Anchor, done.Nodes, done.Height);
                break;
            case AnchorAlias alias:
                Alias(alias.Value.Value);
                break;
            case DocumentStart:
                _anchors.Clear();
                break;
        }
        return true;
    }

    private void Alias(string name)
    {
        if (++_aliases > limits.MaxAliases) throw Over($"more than {limits.MaxAliases} aliases (limit MaxAliases)");
        if (!_anchors.TryGetValue(name, out var named))
        {
            throw Over(_open.Any(open => open.Anchor == name)
                ? $"alias *{name} refers to a node that contains it"
                : $"alias *{name} names no anchor before it");
        }
        if (_open.Count + named.Height > limits.MaxDepth)
            throw Over($"nesting deeper than {limits.MaxDepth} levels once aliases are expanded (limit MaxDepth)");
        Count(named.Nodes);
        AddToParent(named.Nodes, named.Height);
    }

    private void Finish(string? anchor, long nodes, int height)
    {
        if (anchor is not null) _anchors[anchor] = (nodes, height);
        AddToParent(nodes, height);
    }

    private void AddToParent(long nodes, int height)
    {
        if (!_open.TryPeek(out var parent)) return;
        parent.Nodes += nodes;
        parent.Height = Math.Max(parent.Height, 1 + height);
    }

    private void Count(long nodes)
    {
        _nodes += nodes;
        if (_nodes > limits.MaxNodes)
            throw Over($"more than {limits.MaxNodes.ToString(CultureInfo.InvariantCulture)} nodes once aliases are expanded (limit MaxNodes)");
    }

    private static string? AnchorName(AnchorName anchor) => anchor.IsEmpty ? null : anchor.Value;

    private YamlInputException Over(string problem) => new(file, inner.Current is { } at ? (int)at.Start.Line : null, problem);
}
