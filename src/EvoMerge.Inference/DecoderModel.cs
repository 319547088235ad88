using EvoMerge.Inference.Routed;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Routed;
using TorchSharp;
using static TorchSharp.torch.nn.functional;

namespace EvoMerge.Inference;

/// <summary>
/// A Llama-family decoder (llama, mistral, qwen2, qwen3, phi3, mixtral; gemma, gemma2, gemma3_text with <see cref="DecoderVariant"/>) run with TorchSharp on the weights of a
/// <see cref="DecoderWeights"/> name map: token embedding, per layer RMSNorm → grouped-query attention with rotary
/// embeddings → residual → RMSNorm → SwiGLU MLP → residual, final RMSNorm and the LM head (the embedding when tied).
/// Phi-3 splits fused projections (<see cref="FusedProjections"/>) and may rotate part of each head; Mixtral routes
/// each token to its top-k experts (<see cref="SparseMoeBlock"/>). A routed-experts model (<see cref="RoutedExperts"/>)
/// adds its routed low-rank updates to the linear layers from the router layer on.
/// Follows HF's modeling code; every public call runs under <c>torch.inference_mode()</c> in its own dispose scope.
/// Calls only read the weights, so they may run concurrently on different threads (dispose scopes are per thread)
/// as long as nobody writes into <see cref="Parameters"/> meanwhile.
/// </summary>
public sealed class DecoderModel : IDisposable
{
    private readonly DecoderWeights _weights;
    private readonly DecoderVariant _variant;
    private readonly DecoderLayerWeights[] _layers;
    private readonly torch.Tensor _embedTokens;
    private readonly torch.Tensor _finalNorm;
    private readonly torch.Tensor _lmHead;
    private RoutedExperts? _experts;
    private LowRankExperts?[][] _routedLinears;

    private DecoderModel(DecoderWeights weights, DecoderVariant variant, RoutedExperts? experts = null)
    {
        _weights = weights;
        _variant = variant;
        _experts = experts;
        _layers = Enumerable.Range(0, weights.Config.NumHiddenLayers).Select(i => DecoderLayerWeights.Of(weights, i)).ToArray();
        _routedLinears = RoutedLinears(experts, _layers.Length);
        _embedTokens = weights["model.embed_tokens.weight"];
        _finalNorm = weights["model.norm.weight"];
        _lmHead = weights.Config.TieWordEmbeddings ? _embedTokens : weights["lm_head.weight"];
    }

    /// <summary>The model's config.</summary>
    public ModelConfig Config => _weights.Config;

    /// <summary>The dtype weights are held in and the network is computed in (logits are always fp32).</summary>
    public torch.ScalarType ComputeDtype => _weights.DType;

    /// <summary>
    /// The model's own parameter tensors by HF name, in <see cref="ComputeDtype"/>. Write merged values into them in
    /// place (<c>copy_</c>, which also converts dtypes); the next forward pass uses them. Replacing a tensor is not
    /// possible. Tied models have no <c>lm_head.weight</c> entry: the head is the embedding.
    /// </summary>
    public IReadOnlyDictionary<string, torch.Tensor> Parameters => _weights.Tensors;

    /// <summary>The routed experts and router of a routed-experts model, or null for a plain model.</summary>
    public RoutedExperts? Experts => _experts;

    /// <summary>
    /// Makes this model a routed-experts model over its own weights (<paramref name="experts"/>, which it then owns),
    /// or a plain one again (null); the experts held before are disposed. The search's in-memory candidates use it:
    /// the backbone is merged into <see cref="Parameters"/>, then its experts attached. Not while a call runs.
    /// </summary>
    public void UseExperts(RoutedExperts? experts)
    {
        if (ReferenceEquals(experts, _experts)) return;
        if (experts is not null && experts.Config.RouterLayer >= _layers.Length)
            throw new ArgumentException($"the experts' router layer {experts.Config.RouterLayer} is outside the model's layers (0 … {_layers.Length - 1})");
        var previous = _experts;
        _experts = experts;
        _routedLinears = RoutedLinears(experts, _layers.Length);
        previous?.Dispose();
    }

    private static LowRankExperts?[][] RoutedLinears(RoutedExperts? experts, int layers) =>
        Enumerable.Range(0, layers)
            .Select(i => RoutedExperts.LinearNames.Select(local => experts?.Of(DecoderLayout.LayerName("model.layers.{i}." + local, i))).ToArray())
            .ToArray();

    /// <summary>
    /// Loads and validates a model directory (see <see cref="DecoderWeights.Load"/>); fp32 by default. A directory
    /// opened with <see cref="ModelDirectory.OpenRoutedAware"/> may be a routed-experts model: then its experts and
    /// router are loaded too (<see cref="RoutedExperts.Load"/>).
    /// </summary>
    public static DecoderModel Load(ModelDirectory directory, torch.ScalarType computeDtype = torch.ScalarType.Float32)
    {
        var config = MultimodalTextPart.Covers(directory.Config.ModelType) ? MultimodalTextPart.TextConfig(directory.Config, directory.ConfigPath) : directory.Config;
        var variant = DecoderVariant.FromConfig(config, directory.ConfigPath);
        var experts = RoutedExpertsConfig.IsRouted(directory.Config) ? RoutedExperts.Load(directory, config, computeDtype) : null;
        try
        {
            return new DecoderModel(DecoderWeights.Load(directory, computeDtype), variant, experts);
        }
        catch
        {
            experts?.Dispose();
            throw;
        }
    }

    /// <summary>A model over weights already in memory; the model takes ownership of them.</summary>
    public static DecoderModel Create(DecoderWeights weights) =>
        new(weights, DecoderVariant.FromConfig(weights.Config, weights.ConfigPath));

    /// <summary>
    /// Logits <c>[B, T, vocab]</c> in fp32 for token ids <c>[B, T]</c> (int64). <paramref name="attentionMask"/>
    /// <c>[B, T]</c> marks real tokens with 1 and padding with 0 (left or right); positions count real tokens only,
    /// as HF <c>generate</c> does (cumsum(mask) − 1). The caller disposes the result; it is an inference-mode tensor
    /// (read it; don't modify it in place outside inference mode).
    /// </summary>
    public torch.Tensor Logits(torch.Tensor inputIds, torch.Tensor? attentionMask = null)
    {
        using var inference = torch.inference_mode();
        using var scope = torch.NewDisposeScope();
        RequireTokenIds(inputIds);
        if (attentionMask is not null && !attentionMask.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException($"attention mask shape [{string.Join(", ", attentionMask.shape)}] differs from input ids shape [{string.Join(", ", inputIds.shape)}]");
        var mask = attentionMask is null ? torch.ones_like(inputIds, torch.ScalarType.Bool) : attentionMask.ne(ScalarConstants.Zero);
        var hidden = HiddenStates(inputIds, mask, PositionIds(mask), cache: null);
        return HeadLogits(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Natural-log likelihood of each request's continuation given its context, and whether every continuation
    /// token is the argmax, computed in length-sorted, padded batches under a token budget (see
    /// <see cref="LogLikelihoodScorer"/>). Results are in request order.
    /// </summary>
    public IReadOnlyList<LogLikelihoodResult> LogLikelihood(IReadOnlyList<LogLikelihoodRequest> requests, LogLikelihoodOptions? options = null) =>
        new LogLikelihoodScorer(this, options ?? new LogLikelihoodOptions()).Score(requests);

    /// <summary>
    /// Greedy continuation of one prompt with a KV cache: up to <paramref name="maxNewTokens"/> tokens, stopping
    /// after the token for which <paramref name="stop"/> (given the tokens generated so far) returns true.
    /// </summary>
    public IReadOnlyList<int> Generate(IReadOnlyList<int> prompt, int maxNewTokens, Func<IReadOnlyList<int>, bool>? stop = null) =>
        new GreedyGenerator(this).Generate([prompt], maxNewTokens, stop)[0];

    /// <summary>Greedy continuation of several prompts at once (left-padded batch); see the single-prompt overload.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Generate(IReadOnlyList<IReadOnlyList<int>> prompts, int maxNewTokens, Func<IReadOnlyList<int>, bool>? stop = null) =>
        new GreedyGenerator(this).Generate(prompts, maxNewTokens, stop);

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var view in _layers.SelectMany(l => l.Views)) view.Dispose();
        _weights.Dispose();
        _experts?.Dispose();
    }

    /// <summary>Sequences longer than this are rotated with other tables (Phi-3 longrope), or null.</summary>
    internal int? RotaryTableSwitchLength => _variant.Rotaries[0].TableSwitchLength;

    /// <summary>HF generate's position ids: cumsum(mask) − 1 at real tokens, 1 at padding.</summary>
    internal static torch.Tensor PositionIds(torch.Tensor mask)
    {
        var positions = mask.to(torch.ScalarType.Int64).cumsum(-1).sub(ScalarConstants.One);
        return positions.masked_fill_(mask.logical_not(), ScalarConstants.One);
    }

    /// <summary>An empty KV cache for this model.</summary>
    internal KeyValueCache CreateCache(long batch, long capacity) =>
        KeyValueCache.Create(Config.NumHiddenLayers, batch, Config.NumKeyValueHeads, capacity, Config.HeadDim, ComputeDtype);

    /// <summary>
    /// Final-norm hidden states <c>[B, T, hidden]</c> for token ids <c>[B, T]</c> at <paramref name="positionIds"/>
    /// <c>[B, T]</c>. <paramref name="keyMask"/> <c>[B, P + T]</c> (bool) marks which of the cached and new positions
    /// are real tokens; with a cache, the new keys and values are appended to it. Temporaries belong to the caller's
    /// dispose scope (each layer's own are freed as soon as the layer is done). <paramref name="linearInputs"/>, when
    /// given, sees the input of every linear layer in the decoder layers as (weight names, input [B, T, d_in]);
    /// layers fed the same input (q/k/v, gate/up) are reported once. A routed model routes at its router layer:
    /// sequence routing averages the tokens <paramref name="routeMask"/> <c>[B, T]</c> marks (the context; by default
    /// every real new token) and, with a cache, keeps the weights in it for the positions that follow.
    /// </summary>
    internal torch.Tensor HiddenStates(torch.Tensor inputIds, torch.Tensor keyMask, torch.Tensor positionIds, KeyValueCache? cache,
        Action<IReadOnlyList<string>, torch.Tensor>? linearInputs = null, torch.Tensor? routeMask = null) =>
        _variant.Norm(ResidualStream(inputIds, keyMask, positionIds, cache, _layers.Length, linearInputs, routeMask), _finalNorm);

    /// <summary>
    /// The residual stream <c>[B, T, hidden]</c> entering layer <paramref name="layer"/> (the model's layer count:
    /// after the last layer, before the final norm) for all-real token ids <c>[B, T]</c>, with no cache: what a
    /// routed model's router reads at its router layer.
    /// </summary>
    internal torch.Tensor ResidualStreamEntering(int layer, torch.Tensor inputIds)
    {
        var mask = torch.ones_like(inputIds, torch.ScalarType.Bool);
        return ResidualStream(inputIds, mask, PositionIds(mask), cache: null, layer, linearInputs: null, routeMask: null);
    }

    private torch.Tensor ResidualStream(torch.Tensor inputIds, torch.Tensor keyMask, torch.Tensor positionIds, KeyValueCache? cache, int layers,
        Action<IReadOnlyList<string>, torch.Tensor>? linearInputs, torch.Tensor? routeMask)
    {
        long batch = inputIds.shape[0], length = inputIds.shape[1];
        long past = cache?.Length ?? 0;
        var x = _embedTokens.index_select(0, inputIds.reshape(-1)).view(batch, length, -1);
        _variant.ScaleEmbeddings(x);
        var rotaryTables = _variant.Rotaries.Select(r => r.CosSin(positionIds, ComputeDtype)).ToArray();
        var blockedByWindow = new Dictionary<int, torch.Tensor>();
        ExpertRouting? routing = null;
        for (int i = 0; i < layers; i++)
        {
            if (_experts is not null && i == _experts.Config.RouterLayer) routing = Route(x, keyMask, past, length, cache, routeMask);
            int? window = _variant.SlidingWindow(i);
            if (!blockedByWindow.TryGetValue(window ?? 0, out var blocked))
                blockedByWindow[window ?? 0] = blocked = BlockedAttention(keyMask, past, length, window);
            var (cos, sin) = rotaryTables[_variant.RotaryIndex(i)];
            // A scope per layer frees its temporaries before the next layer allocates its own, so memory is reused.
            using var layerScope = torch.NewDisposeScope();
            var layer = _layers[i];
            var attentionInput = _variant.Norm(x, layer.InputNorm);
            linearInputs?.Invoke(layer.AttentionInputNames, attentionInput);
            var attention = Attention(layer, attentionInput, cos, sin, blocked, cache, i, linearInputs, routing);
            // Gemma 2/3 ("sandwich" norms): post_attention_layernorm normalises the attention output, pre_feedforward the MLP input.
            bool sandwich = layer.PreFeedForwardNorm is not null;
            x.add_(sandwich ? _variant.Norm(attention, layer.PostAttentionNorm) : attention, ScalarConstants.One);
            var mlpInput = _variant.Norm(x, layer.PreFeedForwardNorm ?? layer.PostAttentionNorm);
            linearInputs?.Invoke(layer.MlpInputNames, mlpInput);
            var mlp = layer.SparseMoe is { } moe ? moe.Forward(mlpInput, linearInputs) : Mlp(layer, i, mlpInput, linearInputs is null ? null : input => linearInputs(LinearNames(i, "mlp.down_proj"), input), routing);
            x.add_(layer.PostFeedForwardNorm is { } postNorm ? _variant.Norm(mlp, postNorm) : mlp, ScalarConstants.One);
        }
        if (layers == _layers.Length) cache?.Advance(length);
        return x;
    }

    /// <summary>
    /// The routing (<see cref="ExpertRouting"/>) from the residual stream <paramref name="x"/> entering the router
    /// layer: weights (compute dtype) <c>[B, 1, experts]</c> for sequence routing (held by a cache that already ran
    /// the context), else <c>[B, T, experts]</c>; experts that no row (sequence) or token gives weight are skipped.
    /// </summary>
    private ExpertRouting Route(torch.Tensor x, torch.Tensor keyMask, long past, long length, KeyValueCache? cache, torch.Tensor? routeMask)
    {
        var experts = _experts!;
        var router = experts.Router;
        bool dense = router.TopK == router.Experts || !experts.SkipsUnweightedExperts;
        bool sequence = router.Granularity == RoutingGranularity.Sequence;
        if (sequence && past > 0 && cache?.Routing is { } held) return ExpertRouting.Of(held, dense);
        var weights = router.Weights(x, routeMask ?? keyMask.narrow(1, past, length)).to(ComputeDtype);
        if (sequence && cache is not null) cache.HoldRouting(weights);
        return ExpertRouting.Of(weights, dense);
    }

    /// <summary>A linear layer, plus the routed experts' update when the layer has experts and routing is on.</summary>
    private static torch.Tensor Project(torch.Tensor x, torch.Tensor weight, torch.Tensor? bias, LowRankExperts? experts, ExpertRouting? routing)
    {
        var output = linear(x, weight, bias);
        return experts is null || routing is null ? output : experts.AddTo(output, x, routing);
    }

    /// <summary>The LM head over hidden states <c>[…, hidden]</c>: fp32 logits <c>[…, vocab]</c>.</summary>
    internal torch.Tensor HeadLogits(torch.Tensor hidden) => _variant.CapLogits(linear(hidden, _lmHead)).to(torch.ScalarType.Float32);

    /// <summary>Checks that token ids are a 2-D int64 tensor of in-vocabulary ids.</summary>
    internal void RequireTokenIds(torch.Tensor inputIds)
    {
        if (inputIds.dim() != 2 || inputIds.dtype != torch.ScalarType.Int64)
            throw new ArgumentException($"input ids must be a [batch, tokens] int64 tensor (got {inputIds.dtype} [{string.Join(", ", inputIds.shape)}])");
        if (inputIds.numel() == 0) return;
        long min = inputIds.min().item<long>(), max = inputIds.max().item<long>();
        if (min < 0 || max >= _embedTokens.shape[0])
            throw new ArgumentException($"token id {(min < 0 ? min : max)} is outside the vocabulary (0 … {_embedTokens.shape[0] - 1})");
    }

    private torch.Tensor Attention(DecoderLayerWeights layer, torch.Tensor x, torch.Tensor cos, torch.Tensor sin, torch.Tensor blocked, KeyValueCache? cache, int index,
        Action<IReadOnlyList<string>, torch.Tensor>? linearInputs, ExpertRouting? routing)
    {
        long batch = x.shape[0], length = x.shape[1];
        int heads = Config.NumAttentionHeads, kvHeads = Config.NumKeyValueHeads, headDim = Config.HeadDim;
        var routed = _routedLinears[index];

        var q = Project(x, layer.QueryProjection, layer.QueryBias, routed[0], routing).view(batch, length, heads, headDim);
        var k = Project(x, layer.KeyProjection, layer.KeyBias, routed[1], routing).view(batch, length, kvHeads, headDim);
        var v = Project(x, layer.ValueProjection, layer.ValueBias, routed[2], routing).view(batch, length, kvHeads, headDim);
        if (layer.QueryNorm is not null && layer.KeyNorm is not null)
        {
            q = _variant.Norm(q, layer.QueryNorm);
            k = _variant.Norm(k, layer.KeyNorm);
        }
        q = RotaryEmbedding.Apply(q.transpose(1, 2), cos, sin);
        k = RotaryEmbedding.Apply(k.transpose(1, 2), cos, sin);
        v = v.transpose(1, 2);
        if (cache is not null) (k, v) = cache.Write(index, k, v);

        k = RepeatKeyValueHeads(k, heads / kvHeads);
        v = RepeatKeyValueHeads(v, heads / kvHeads);
        using var scale = _variant.AttentionScale.ToScalar();
        using var lowest = torch.finfo(q.dtype).min.ToScalar();
        var scores = _variant.CapAttentionScores(q.matmul(k.transpose(2, 3)).mul_(scale));
        scores.masked_fill_(blocked, lowest);
        var probabilities = scores.softmax(-1, torch.ScalarType.Float32).to(q.dtype);
        var output = probabilities.matmul(v).transpose(1, 2).reshape(batch, length, (long)heads * headDim);
        linearInputs?.Invoke(LinearNames(index, "self_attn.o_proj"), output);
        return Project(output, layer.OutputProjection, null, routed[3], routing);
    }

    private torch.Tensor Mlp(DecoderLayerWeights layer, int index, torch.Tensor x, Action<torch.Tensor>? downInput, ExpertRouting? routing)
    {
        var routed = _routedLinears[index];
        var hidden = _variant.Activate(Project(x, layer.GateProjection!, null, routed[4], routing)).mul_(Project(x, layer.UpProjection!, null, routed[5], routing));
        downInput?.Invoke(hidden);
        return Project(hidden, layer.DownProjection!, null, routed[6], routing);
    }

    private static string[] LinearNames(int layer, params string[] locals) =>
        locals.Select(l => $"model.layers.{layer}.{l}.weight").ToArray();

    /// <summary>HF's <c>repeat_kv</c>: each key/value head serves <paramref name="groups"/> consecutive query heads.</summary>
    private static torch.Tensor RepeatKeyValueHeads(torch.Tensor x, int groups) =>
        groups == 1 ? x : x.repeat_interleave(groups, dim: 1);

    /// <summary>
    /// True where query i (at cache index <paramref name="past"/> + i) must not see key j: j is in its future, is
    /// padding, or lies <paramref name="slidingWindow"/> or more positions back (Mistral: key j is visible when
    /// i − j &lt; window). Shaped <c>[B, 1, T, P + T]</c> to broadcast over heads.
    /// </summary>
    private static torch.Tensor BlockedAttention(torch.Tensor keyMask, long past, long length, int? slidingWindow)
    {
        long keys = keyMask.shape[1];
        var causal = torch.ones([length, keys], torch.ScalarType.Bool).tril(past);
        if (slidingWindow is { } window) causal = causal.triu(past - window + 1);
        var allowed = causal.unsqueeze(0).logical_and(keyMask.unsqueeze(1));
        return allowed.logical_not().unsqueeze(1);
    }
}
