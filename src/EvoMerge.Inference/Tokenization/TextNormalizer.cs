namespace EvoMerge.Inference.Tokenization;

/// <summary>tokenizer.json's <c>normalizer</c>: NFC/NFD, Prepend, Replace, Strip, Lowercase, or a Sequence of them.</summary>
internal sealed class TextNormalizer
{
    private readonly Func<string, string>[] steps;

    private TextNormalizer(Func<string, string>[] steps) => this.steps = steps;

    /// <summary>The normalizer that leaves text as it is (tokenizer.json's <c>"normalizer": null</c>).</summary>
    public static TextNormalizer None { get; } = new([]);

    public string Normalize(string text)
    {
        foreach (var step in steps) text = step(text);
        return text;
    }

    public static TextNormalizer From(TokenizerJsonElement? node)
    {
        var steps = new List<Func<string, string>>();
        if (node is { } n) Add(n, steps);
        return steps.Count == 0 ? None : new TextNormalizer([.. steps]);
    }

    private static void Add(TokenizerJsonElement node, List<Func<string, string>> steps)
    {
        var type = node.Get("type");
        switch (type.AsString())
        {
            case "Sequence":
                foreach (var child in node.Get("normalizers").Items()) Add(child, steps);
                break;
            case "NFC":
                steps.Add(CanonicalNormalizer.ToNfc);
                break;
            case "NFD":
                steps.Add(CanonicalNormalizer.ToNfd);
                break;
            case "Prepend":
                string prefix = node.GetString("prepend");
                steps.Add(s => s.Length == 0 ? s : prefix + s);
                break;
            case "Replace":
                var replace = TextPattern.From(node.Get("pattern"));
                string content = node.GetString("content");
                steps.Add(s => replace.Replace(s, content));
                break;
            case "Strip":
                bool left = node.FindBool("strip_left", false), right = node.FindBool("strip_right", false);
                steps.Add(s => left && right ? s.Trim() : left ? s.TrimStart() : right ? s.TrimEnd() : s);
                break;
            case "Lowercase":
                steps.Add(s => s.ToLowerInvariant());
                break;
            default:
                throw type.Unsupported();
        }
    }
}
