using TorchSharp;

namespace EvoMerge.Inference;

/// <summary>
/// Scores <see cref="LogLikelihoodRequest"/>s in batches, as lm-eval's loglikelihood does: the model reads
/// context + continuation[..^1], and continuation token j is scored by the log-softmax at the position before it.
/// Requests are sorted by length (longest first), padded on the right to the batch's longest row, and grouped
/// so rows × padded length stays within the token budget. Only the scored positions go through the LM head.
/// Requests that share a context are, when enabled, run as one context pass whose KV cache every continuation
/// then reuses. Results come back in request order.
/// </summary>
public sealed class LogLikelihoodScorer
{
    /// <summary>Upper bound on the elements of one [rows, vocab] logits block (64 MiB of fp32).</summary>
    private const long MaxLogitElements = 16L << 20;

    private readonly DecoderModel _model;
    private readonly LogLikelihoodOptions _options;

    /// <summary>A scorer over <paramref name="model"/>.</summary>
    public LogLikelihoodScorer(DecoderModel model, LogLikelihoodOptions options)
    {
        if (options.TokenBudget <= 0) throw new ArgumentException($"token budget must be positive (got {options.TokenBudget})");
        _model = model;
        _options = options;
    }

    /// <summary>Scores every request; the i-th result belongs to the i-th request.</summary>
    public IReadOnlyList<LogLikelihoodResult> Score(IReadOnlyList<LogLikelihoodRequest> requests)
    {
        Validate(requests);
        var totals = new Totals(requests.Count);
        using (torch.inference_mode())
        {
            var independent = new List<int>();
            var shared = new List<List<int>>();
            if (_options.SharePrefixes)
            {
                var byContext = new Dictionary<IReadOnlyList<int>, List<int>>(TokenSequenceComparer.Instance);
                for (int i = 0; i < requests.Count; i++)
                {
                    // Past the rotary table switch (Phi-3 longrope) a context's rotation depends on its continuation's length.
                    if (InputLength(requests[i]) > _model.RotaryTableSwitchLength)
                    {
                        independent.Add(i);
                        continue;
                    }
                    if (!byContext.TryGetValue(requests[i].Context, out var members)) byContext[requests[i].Context] = members = [];
                    members.Add(i);
                }
                foreach (var members in byContext.Values)
                {
                    if (members.Count > 1) shared.Add(members);
                    else independent.Add(members[0]);
                }
            }
            else
            {
                independent.AddRange(Enumerable.Range(0, requests.Count));
            }
            ScoreIndependently(requests, independent, totals);
            ScoreSharedContexts(requests, shared, totals);
        }
        return totals.Results();
    }

    private void ScoreIndependently(IReadOnlyList<LogLikelihoodRequest> requests, List<int> indices, Totals totals)
    {
        var order = indices.OrderByDescending(i => InputLength(requests[i])).ToList();
        for (int start = 0; start < order.Count;)
        {
            int width = InputLength(requests[order[start]]);
            int count = Math.Clamp(_options.TokenBudget / width, 1, order.Count - start);
            ScoreRows(requests, order.GetRange(start, count), width, totals);
            start += count;
        }
    }

    /// <summary>One right-padded batch: each row is context + continuation[..^1].</summary>
    private void ScoreRows(IReadOnlyList<LogLikelihoodRequest> requests, List<int> batch, int width, Totals totals)
    {
        using var scope = torch.NewDisposeScope();
        var ids = new long[batch.Count * width];
        var mask = new bool[batch.Count * width];
        var contextMask = new bool[batch.Count * width];
        var targets = new Targets();
        for (int row = 0; row < batch.Count; row++)
        {
            var request = requests[batch[row]];
            int offset = row * width;
            for (int j = 0; j < request.Context.Count; j++) ids[offset + j] = request.Context[j];
            for (int j = 0; j < request.Continuation.Count - 1; j++) ids[offset + request.Context.Count + j] = request.Continuation[j];
            Array.Fill(mask, true, offset, InputLength(request));
            Array.Fill(contextMask, true, offset, request.Context.Count);
            for (int j = 0; j < request.Continuation.Count; j++)
                targets.Add(offset + request.Context.Count - 1 + j, request.Continuation[j], batch[row]);
        }
        var idsTensor = torch.tensor(ids, [batch.Count, width]);
        var maskTensor = torch.tensor(mask, [batch.Count, width]);
        // A routed model's sequence router reads the context only, as when the context runs alone into a cache.
        var hidden = _model.HiddenStates(idsTensor, maskTensor, DecoderModel.PositionIds(maskTensor), cache: null, routeMask: torch.tensor(contextMask, [batch.Count, width]));
        Accumulate(hidden.view(-1, hidden.shape[2]), targets, totals);
    }

    private void ScoreSharedContexts(IReadOnlyList<LogLikelihoodRequest> requests, List<List<int>> groups, Totals totals)
    {
        var order = groups.OrderByDescending(g => requests[g[0]].Context.Count).ToList();
        for (int start = 0; start < order.Count;)
        {
            int contextWidth = requests[order[start][0]].Context.Count;
            int rows = 0, continuationWidth = 0, count = 0;
            while (start + count < order.Count)
            {
                var group = order[start + count];
                int width = Math.Max(continuationWidth, group.Max(i => requests[i].Continuation.Count - 1));
                long cost = (long)(count + 1) * contextWidth + (long)(rows + group.Count) * width;
                if (count > 0 && cost > _options.TokenBudget) break;
                rows += group.Count;
                continuationWidth = width;
                count++;
            }
            ScoreSharedBatch(requests, order.GetRange(start, count), contextWidth, continuationWidth, totals);
            start += count;
        }
    }

    /// <summary>
    /// Runs the groups' contexts (left-padded, so every context ends in the last column) into a KV cache, scores
    /// each continuation's first token from its context's last position, then runs all continuations (right-padded)
    /// after a copy of their context's cache rows and scores the rest.
    /// </summary>
    private void ScoreSharedBatch(IReadOnlyList<LogLikelihoodRequest> requests, List<List<int>> groups, int contextWidth, int continuationWidth, Totals totals)
    {
        using var scope = torch.NewDisposeScope();
        var contextIds = new long[groups.Count * contextWidth];
        var contextMask = new bool[groups.Count * contextWidth];
        var rowGroup = new List<long>();
        var firstTargets = new Targets();
        for (int g = 0; g < groups.Count; g++)
        {
            var context = requests[groups[g][0]].Context;
            int offset = g * contextWidth + contextWidth - context.Count;
            for (int j = 0; j < context.Count; j++) contextIds[offset + j] = context[j];
            Array.Fill(contextMask, true, offset, context.Count);
            foreach (int member in groups[g])
            {
                firstTargets.Add(rowGroup.Count, requests[member].Continuation[0], member);
                rowGroup.Add(g);
            }
        }
        var contextIdsTensor = torch.tensor(contextIds, [groups.Count, contextWidth]);
        var contextMaskTensor = torch.tensor(contextMask, [groups.Count, contextWidth]);
        using var contextCache = _model.CreateCache(groups.Count, contextWidth);
        var contextHidden = _model.HiddenStates(contextIdsTensor, contextMaskTensor, DecoderModel.PositionIds(contextMaskTensor), contextCache);
        var rowGroupTensor = torch.tensor(rowGroup.ToArray());
        Accumulate(contextHidden.select(1, contextWidth - 1).index_select(0, rowGroupTensor), firstTargets, totals);
        if (continuationWidth == 0) return;

        var members = groups.SelectMany(g => g).ToList();
        var ids = new long[members.Count * continuationWidth];
        var mask = new bool[members.Count * continuationWidth];
        var targets = new Targets();
        for (int row = 0; row < members.Count; row++)
        {
            var continuation = requests[members[row]].Continuation;
            int offset = row * continuationWidth;
            for (int j = 0; j < continuation.Count - 1; j++) ids[offset + j] = continuation[j];
            Array.Fill(mask, true, offset, continuation.Count - 1);
            for (int j = 1; j < continuation.Count; j++) targets.Add(offset + j - 1, continuation[j], members[row]);
        }
        if (targets.Count == 0) return;
        var idsTensor = torch.tensor(ids, [members.Count, continuationWidth]);
        var keyMask = torch.cat([contextMaskTensor.index_select(0, rowGroupTensor), torch.tensor(mask, [members.Count, continuationWidth])], 1);
        var positions = DecoderModel.PositionIds(keyMask).narrow(1, contextWidth, continuationWidth);
        using var rowCache = contextCache.SelectRows(rowGroupTensor, contextWidth + continuationWidth);
        var hidden = _model.HiddenStates(idsTensor, keyMask, positions, rowCache);
        Accumulate(hidden.view(-1, hidden.shape[2]), targets, totals);
    }

    /// <summary>
    /// Log-softmax and argmax at the scored positions only: picks the target rows out of
    /// <paramref name="hidden"/> <c>[rows, hidden]</c> and runs the LM head over them in vocabulary-bounded chunks.
    /// </summary>
    private void Accumulate(torch.Tensor hidden, Targets targets, Totals totals)
    {
        long vocabulary = _model.Config.VocabSize;
        int chunk = (int)Math.Max(1, MaxLogitElements / vocabulary);
        for (int start = 0; start < targets.Count; start += chunk)
        {
            using var scope = torch.NewDisposeScope();
            int count = Math.Min(chunk, targets.Count - start);
            var rows = torch.tensor(targets.Rows.GetRange(start, count).ToArray());
            var tokens = torch.tensor(targets.Tokens.GetRange(start, count).ToArray());
            var logits = _model.HeadLogits(hidden.index_select(0, rows));
            var chosen = logits.log_softmax(-1).gather(1, tokens.unsqueeze(1)).squeeze(1);
            var greedy = logits.argmax(-1).eq(tokens);
            float[] logProbabilities = chosen.data<float>().ToArray();
            bool[] isGreedy = greedy.data<bool>().ToArray();
            for (int i = 0; i < count; i++) totals.Add(targets.Owners[start + i], logProbabilities[i], isGreedy[i]);
        }
    }

    private void Validate(IReadOnlyList<LogLikelihoodRequest> requests)
    {
        long vocabulary = _model.Config.VocabSize;
        for (int i = 0; i < requests.Count; i++)
        {
            var r = requests[i];
            if (r.Context.Count == 0) throw new ArgumentException($"request {i}: context is empty (prepend a BOS/EOT token)");
            if (r.Continuation.Count == 0) throw new ArgumentException($"request {i}: continuation is empty");
            foreach (int token in r.Context.Concat(r.Continuation))
            {
                if (token < 0 || token >= vocabulary)
                    throw new ArgumentException($"request {i}: token id {token} is outside the vocabulary (0 … {vocabulary - 1})");
            }
        }
    }

    private static int InputLength(LogLikelihoodRequest r) => r.Context.Count + r.Continuation.Count - 1;

    /// <summary>Scored positions of one pass: flat row in the hidden states, target token, and owning request.</summary>
    private sealed class Targets
    {
        public List<long> Rows { get; } = [];
        public List<long> Tokens { get; } = [];
        public List<int> Owners { get; } = [];
        public int Count => Rows.Count;

        public void Add(long row, int token, int owner)
        {
            Rows.Add(row);
            Tokens.Add(token);
            Owners.Add(owner);
        }
    }

    /// <summary>Per-request running sums of log-probabilities and the greedy flag.</summary>
    private sealed class Totals(int count)
    {
        private readonly double[] _logLikelihood = new double[count];
        private readonly bool[] _greedy = Enumerable.Repeat(true, count).ToArray();

        public void Add(int owner, double logProbability, bool isGreedy)
        {
            _logLikelihood[owner] += logProbability;
            _greedy[owner] &= isGreedy;
        }

        public LogLikelihoodResult[] Results() =>
            _logLikelihood.Select((l, i) => new LogLikelihoodResult(l, _greedy[i])).ToArray();
    }
}
