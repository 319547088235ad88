using System.Text;
using System.Text.Unicode;

namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// tokenizer.json's <c>decoder</c>: turns token strings back into text. Supports ByteLevel, Metaspace, Replace,
/// ByteFallback, Fuse, Strip and Sequence; without a decoder the tokens are joined with spaces, as HuggingFace does.
/// </summary>
internal sealed class TokenDecoder
{
    private readonly Func<List<string>, List<string>>[] steps;
    private readonly bool joinWithSpaces;

    private TokenDecoder(Func<List<string>, List<string>>[] steps, bool joinWithSpaces)
    {
        this.steps = steps;
        this.joinWithSpaces = joinWithSpaces;
    }

    public string Decode(List<string> tokens)
    {
        foreach (var step in steps) tokens = step(tokens);
        return string.Join(joinWithSpaces ? " " : "", tokens);
    }

    public static TokenDecoder From(TokenizerJsonElement? node)
    {
        if (node is not { } n) return new TokenDecoder([], joinWithSpaces: true);
        var steps = new List<Func<List<string>, List<string>>>();
        Add(n, steps);
        return new TokenDecoder([.. steps], joinWithSpaces: false);
    }

    private static void Add(TokenizerJsonElement node, List<Func<List<string>, List<string>>> steps)
    {
        var type = node.Get("type");
        switch (type.AsString())
        {
            case "Sequence":
                foreach (var child in node.Get("decoders").Items()) Add(child, steps);
                break;
            case "ByteLevel":
                steps.Add(ByteLevel);
                break;
            case "ByteFallback":
                steps.Add(ByteFallback);
                break;
            case "Fuse":
                steps.Add(tokens => [string.Concat(tokens)]);
                break;
            case "Replace":
                var pattern = TextPattern.From(node.Get("pattern"));
                string content = node.GetString("content");
                steps.Add(tokens => tokens.ConvertAll(t => pattern.Replace(t, content)));
                break;
            case "Strip":
                steps.Add(StripStep(node));
                break;
            case "Metaspace":
                steps.Add(MetaspaceStep(node));
                break;
            default:
                throw type.Unsupported();
        }
    }

    private static List<string> ByteLevel(List<string> tokens)
    {
        var bytes = new List<byte>();
        foreach (string token in tokens) ByteLevelAlphabet.AppendBytes(token, bytes);
        return [Encoding.UTF8.GetString(bytes.ToArray())];
    }

    /// <summary>Runs of <c>&lt;0xNN&gt;</c> tokens become their UTF-8 text, or one U+FFFD per byte when invalid.</summary>
    private static List<string> ByteFallback(List<string> tokens)
    {
        var output = new List<string>(tokens.Count);
        var pending = new List<byte>();
        void Flush()
        {
            if (pending.Count == 0) return;
            byte[] raw = pending.ToArray();
            output.Add(Utf8.IsValid(raw) ? Encoding.UTF8.GetString(raw) : string.Concat(Enumerable.Repeat("\uFFFD", raw.Length)));
            pending.Clear();
        }
        foreach (string token in tokens)
        {
            if (token.Length == 6 && token.StartsWith("<0x", StringComparison.Ordinal) && token[5] == '>'
                && byte.TryParse(token.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out byte b))
            {
                pending.Add(b);
                continue;
            }
            Flush();
            output.Add(token);
        }
        Flush();
        return output;
    }

    private static Func<List<string>, List<string>> StripStep(TokenizerJsonElement node)
    {
        var contentNode = node.Get("content");
        string content = contentNode.AsString();
        if (content.Length != 1) throw contentNode.Error("must be a single character");
        char c = content[0];
        int start = node.GetInt("start"), stop = node.GetInt("stop");
        return tokens => tokens.ConvertAll(token =>
        {
            int from = 0, to = token.Length;
            while (from < start && from < token.Length && token[from] == c) from++;
            while (token.Length - to < stop && to > from && token[to - 1] == c) to--;
            return token[from..to];
        });
    }

    private static Func<List<string>, List<string>> MetaspaceStep(TokenizerJsonElement node)
    {
        string replacement = node.GetString("replacement");
        string scheme = node.FindString("prepend_scheme") ?? (node.FindBool("add_prefix_space", true) ? "always" : "never");
        bool dropInFirst = scheme != "never";
        return tokens =>
        {
            var output = new List<string>(tokens.Count);
            for (int i = 0; i < tokens.Count; i++)
                output.Add(tokens[i].Replace(replacement, i == 0 && dropInFirst ? "" : " ", StringComparison.Ordinal));
            return output;
        };
    }
}
