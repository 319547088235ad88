using System.Text.RegularExpressions;

namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// tokenizer.json's <c>pre_tokenizer</c>: splits a normalized text segment into the words the model encodes one by
/// one. Supports Split (regex or string, Isolated or Removed), ByteLevel, Metaspace and Sequence.
/// </summary>
internal sealed class PreTokenizerChain
{
    /// <summary>GPT-2's split pattern, used by a ByteLevel pre-tokenizer with <c>use_regex: true</c>.</summary>
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private delegate void Step(List<string> pieces, bool firstAtInputStart, List<string> output);

    private readonly Step[] steps;

    private PreTokenizerChain(Step[] steps, bool isByteLevel)
    {
        this.steps = steps;
        IsByteLevel = isByteLevel;
    }

    /// <summary>True when the chain holds a ByteLevel step: the model then works on GPT-2 byte characters.</summary>
    public bool IsByteLevel { get; }

    /// <summary>Appends the words of <paramref name="text"/>.</summary>
    public void Split(string text, bool atInputStart, List<string> words)
    {
        var pieces = new List<string> { text };
        foreach (var step in steps)
        {
            var next = new List<string>(pieces.Count * 2);
            step(pieces, atInputStart, next);
            pieces = next;
        }
        foreach (string piece in pieces)
            if (piece.Length > 0) words.Add(piece);
    }

    public static PreTokenizerChain From(TokenizerJsonElement? node)
    {
        var steps = new List<Step>();
        bool byteLevel = false;
        if (node is { } n) Add(n, steps, ref byteLevel);
        return new PreTokenizerChain([.. steps], byteLevel);
    }

    private static void Add(TokenizerJsonElement node, List<Step> steps, ref bool byteLevel)
    {
        var type = node.Get("type");
        switch (type.AsString())
        {
            case "Sequence":
                foreach (var child in node.Get("pretokenizers").Items()) Add(child, steps, ref byteLevel);
                break;
            case "Split":
                steps.Add(SplitStep(node));
                break;
            case "ByteLevel":
                byteLevel = true;
                steps.Add(ByteLevelStep(node.FindBool("add_prefix_space", true), node.FindBool("use_regex", true)));
                break;
            case "Metaspace":
                steps.Add(MetaspaceStep(node));
                break;
            default:
                throw type.Unsupported();
        }
    }

    private static Step SplitStep(TokenizerJsonElement node)
    {
        var pattern = TextPattern.From(node.Get("pattern"));
        bool invert = node.FindBool("invert", false);
        var behavior = node.Get("behavior");
        var splitter = (behavior.AsString(), invert) switch
        {
            ("Isolated", _) => new PatternSplitter(pattern.Regex),
            ("Removed", false) => new PatternSplitter(pattern.Regex, keepMatches: false),
            ("Removed", true) => new PatternSplitter(pattern.Regex, keepGaps: false),
            _ => throw behavior.Unsupported(),
        };
        return (pieces, _, output) =>
        {
            foreach (string piece in pieces) splitter.Split(piece, output);
        };
    }

    private static Step ByteLevelStep(bool addPrefixSpace, bool useRegex)
    {
        var splitter = useRegex ? new PatternSplitter(new Regex(Gpt2Pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled)) : null;
        return (pieces, _, output) =>
        {
            foreach (string raw in pieces)
            {
                string piece = addPrefixSpace && !raw.StartsWith(' ') ? " " + raw : raw;
                if (splitter is null) output.Add(piece);
                else splitter.Split(piece, output);
            }
        };
    }

    private static Step MetaspaceStep(TokenizerJsonElement node)
    {
        var replacementNode = node.Get("replacement");
        string replacement = replacementNode.AsString();
        if (replacement.Length != 1) throw replacementNode.Error("must be a single character");
        char meta = replacement[0];
        string scheme = node.FindString("prepend_scheme") ?? (node.FindBool("add_prefix_space", true) ? "always" : "never");
        if (scheme is not ("always" or "first" or "never")) throw node.Get("prepend_scheme").Unsupported();
        bool split = node.FindBool("split", true);
        return (pieces, firstAtInputStart, output) =>
        {
            for (int i = 0; i < pieces.Count; i++)
            {
                string piece = pieces[i].Replace(' ', meta);
                bool prepend = scheme == "always" || scheme == "first" && i == 0 && firstAtInputStart;
                if (prepend && !piece.StartsWith(meta)) piece = meta + piece;
                if (!split)
                {
                    output.Add(piece);
                    continue;
                }
                int start = 0;
                for (int j = 1; j < piece.Length; j++)
                    if (piece[j] == meta)
                    {
                        output.Add(piece[start..j]);
                        start = j;
                    }
                output.Add(piece[start..]);
            }
        };
    }
}
