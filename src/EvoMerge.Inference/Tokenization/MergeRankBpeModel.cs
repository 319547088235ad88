
namespace EvoMerge.Inference.Tokenization;

/// <summary>
/// Character-level BPE by merge rank with SentencePiece-style byte fallback (Llama-2, Mistral): a character missing
/// from the vocabulary becomes its UTF-8 bytes as <c>&lt;0xNN&gt;</c> tokens, or the unknown token when the
/// vocabulary has no byte tokens. Merges apply lowest rank first, leftmost first among equal ranks.
/// </summary>
internal sealed class MergeRankBpeModel : ITokenModel
{
    private readonly IReadOnlyDictionary<string, int> vocabulary;
    private readonly Dictionary<long, (int Rank, int NewId)> merges;
    private readonly int[]? byteIds;
    private readonly int? unknownId;
    private readonly bool fuseUnknown;
    private readonly bool ignoreMerges;
    private readonly string? continuingSubwordPrefix;
    private readonly string? endOfWordSuffix;

    /// <summary>Indexes the merge rules (in rank order); <paramref name="mergesNode"/> names a broken rule in errors.</summary>
    public MergeRankBpeModel(IReadOnlyDictionary<string, int> vocabulary, IReadOnlyList<(string Left, string Right)> merges,
        TokenizerJsonElement mergesNode, bool byteFallback, int? unknownId, bool fuseUnknown, bool ignoreMerges,
        string? continuingSubwordPrefix, string? endOfWordSuffix)
    {
        this.vocabulary = vocabulary;
        this.unknownId = unknownId;
        this.fuseUnknown = fuseUnknown;
        this.ignoreMerges = ignoreMerges;
        this.continuingSubwordPrefix = continuingSubwordPrefix;
        this.endOfWordSuffix = endOfWordSuffix;
        int prefixLength = continuingSubwordPrefix?.Length ?? 0;
        this.merges = new Dictionary<long, (int, int)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            string merged = left + (prefixLength > 0 && right.StartsWith(continuingSubwordPrefix!, StringComparison.Ordinal) ? right[prefixLength..] : right);
            if (!vocabulary.TryGetValue(left, out int leftId) || !vocabulary.TryGetValue(right, out int rightId)
                || !vocabulary.TryGetValue(merged, out int newId))
                throw new TokenizerFormatException(mergesNode.File, $"{mergesNode.Path}[{rank}]",
                    $"merges '{left}' and '{right}', which are not both in model.vocab with their merge '{merged}'");
            this.merges.TryAdd(Pair(leftId, rightId), (rank, newId));
        }
        if (byteFallback)
        {
            byteIds = new int[256];
            for (int b = 0; b < 256; b++)
                byteIds[b] = vocabulary.TryGetValue($"<0x{b:X2}>", out int id) ? id : -1;
        }
    }

    public void Encode(string word, List<int> ids)
    {
        if (word.Length == 0) return;
        if (ignoreMerges && vocabulary.TryGetValue(word, out int whole))
        {
            ids.Add(whole);
            return;
        }
        var symbols = InitialSymbols(word);
        Merge(symbols);
        foreach (var s in symbols)
            if (s.Alive) ids.Add(s.Id);
    }

    private List<Symbol> InitialSymbols(string word)
    {
        var symbols = new List<Symbol>(word.Length);
        bool pendingUnknown = false;
        int index = 0;
        var runes = word.EnumerateRunes().ToArray();
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in runes)
        {
            string piece = rune.ToString();
            if (index > 0 && continuingSubwordPrefix is not null) piece = continuingSubwordPrefix + piece;
            if (index == runes.Length - 1 && endOfWordSuffix is not null) piece += endOfWordSuffix;
            index++;
            if (vocabulary.TryGetValue(piece, out int id))
            {
                FlushUnknown(symbols, ref pendingUnknown);
                symbols.Add(new Symbol(id));
                continue;
            }
            if (byteIds is not null)
            {
                int length = rune.EncodeToUtf8(utf8);
                bool all = true;
                for (int i = 0; i < length; i++) all &= byteIds[utf8[i]] >= 0;
                if (all)
                {
                    for (int i = 0; i < length; i++) symbols.Add(new Symbol(byteIds[utf8[i]]));
                    continue;
                }
            }
            if (unknownId is null) continue;
            if (pendingUnknown && !fuseUnknown) symbols.Add(new Symbol(unknownId.Value));
            pendingUnknown = true;
        }
        FlushUnknown(symbols, ref pendingUnknown);
        for (int i = 0; i < symbols.Count; i++)
        {
            symbols[i].Previous = i - 1;
            symbols[i].Next = i + 1 < symbols.Count ? i + 1 : -1;
        }
        return symbols;
    }

    private void FlushUnknown(List<Symbol> symbols, ref bool pendingUnknown)
    {
        if (!pendingUnknown) return;
        symbols.Add(new Symbol(unknownId!.Value));
        pendingUnknown = false;
    }

    private void Merge(List<Symbol> symbols)
    {
        var queue = new PriorityQueue<(int Position, int NewId), (int Rank, int Position)>();
        void Offer(int position)
        {
            int next = symbols[position].Next;
            if (next >= 0 && merges.TryGetValue(Pair(symbols[position].Id, symbols[next].Id), out var merge))
                queue.Enqueue((position, merge.NewId), (merge.Rank, position));
        }
        for (int i = 0; i + 1 < symbols.Count; i++) Offer(i);
        while (queue.TryDequeue(out var top, out _))
        {
            var left = symbols[top.Position];
            if (!left.Alive || left.Next < 0) continue;
            var right = symbols[left.Next];
            if (!merges.TryGetValue(Pair(left.Id, right.Id), out var merge) || merge.NewId != top.NewId) continue;
            left.Id = merge.NewId;
            right.Alive = false;
            left.Next = right.Next;
            if (right.Next >= 0) symbols[right.Next].Previous = top.Position;
            if (left.Previous >= 0) Offer(left.Previous);
            Offer(top.Position);
        }
    }

    private static long Pair(int left, int right) => (long)left << 32 | (uint)right;

    private sealed class Symbol(int id)
    {
        public int Id = id;
        public int Previous;
        public int Next;
        public bool Alive = true;
    }
}
