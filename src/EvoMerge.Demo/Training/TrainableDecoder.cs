using System.Text.Json.Nodes;
using EvoMerge.Inference;
using EvoMerge.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch.nn.functional;

namespace EvoMerge.Demo.Training;

/// <summary>
/// A Llama decoder whose fp32 parameters require grad, keyed by the HF names of <see cref="DecoderLayout"/>, with a
/// differentiable forward pass (no in-place ops on values autograd needs). It computes what
/// <see cref="DecoderModel"/> computes — same <see cref="RmsNorm"/>, <see cref="RotaryEmbedding"/> and attention —
/// so saved weights load there unchanged. Only the Llama variant (no biases, no q/k norms) is supported.
/// </summary>
public sealed class TrainableDecoder : IDisposable
{
    private readonly Dictionary<string, Parameter> _parameters;
    private readonly RotaryEmbedding _rotary;

    private TrainableDecoder(ModelConfig config, Dictionary<string, Parameter> parameters)
    {
        Config = config;
        _parameters = parameters;
        _rotary = RotaryEmbedding.FromConfig(config, "(trainable decoder)");
    }

    /// <summary>The model's config.</summary>
    public ModelConfig Config { get; }

    /// <summary>The parameters by HF name, in layout order.</summary>
    public IReadOnlyDictionary<string, Parameter> Parameters => _parameters;

    /// <summary>
    /// Fresh weights for <paramref name="config"/> from <paramref name="seed"/>: norms 1, embedding and projections
    /// N(0, 0.02), output projections (o_proj, down_proj) scaled down by √(2·layers) as in GPT-2.
    /// </summary>
    public static TrainableDecoder Initialize(JsonObject config, long seed)
    {
        var parsed = ModelConfig.FromJson(config, "(trainable decoder)");
        var layout = DecoderLayout.For(parsed, "(trainable decoder)");
        RequirePlainLlama(layout);
        var generator = new torch.Generator((ulong)seed);
        double outputScale = 1.0 / Math.Sqrt(2.0 * parsed.NumHiddenLayers);
        var parameters = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        foreach (string name in layout.ExpectedNames())
        {
            using var scope = torch.NewDisposeScope();
            long[] shape = layout.ExpectedShape(name)!;
            using var spread = (0.02 * (name.Contains("o_proj") || name.Contains("down_proj") ? outputScale : 1.0)).ToScalar();
            var value = name.EndsWith("norm.weight", StringComparison.Ordinal)
                ? torch.ones(shape)
                : torch.randn(shape, generator: generator).mul(spread);
            parameters[name] = new Parameter(value.DetachFromDisposeScope());
        }
        return new TrainableDecoder(parsed, parameters);
    }

    /// <summary>Starts from the weights of a saved model (converted to fp32), e.g. to fine-tune a base.</summary>
    public static TrainableDecoder FromDirectory(string directory)
    {
        using var model = ModelDirectory.Open(directory);
        RequirePlainLlama(model.Layout);
        var parameters = new Dictionary<string, Parameter>(StringComparer.Ordinal);
        foreach (string name in model.Layout.ExpectedNames())
        {
            using var scope = torch.NewDisposeScope();
            parameters[name] = new Parameter(model.Weights.Load(name, torch.ScalarType.Float32).DetachFromDisposeScope());
        }
        return new TrainableDecoder(model.Config, parameters);
    }

    /// <summary>
    /// Logits <c>[B, T, vocab]</c> for right-padded token ids <c>[B, T]</c> (causal attention; padding comes after the
    /// real tokens, so it never changes their outputs). Differentiable; call it inside a dispose scope.
    /// </summary>
    public torch.Tensor Logits(torch.Tensor inputIds)
    {
        long batch = inputIds.shape[0], length = inputIds.shape[1];
        using var end = length.ToScalar();
        var positions = torch.arange(ScalarConstants.Zero, end, ScalarConstants.One, dtype: torch.ScalarType.Int64).unsqueeze(0).expand(batch, length);
        var (cos, sin) = _rotary.CosSin(positions, torch.ScalarType.Float32);
        var future = torch.ones(length, length, dtype: torch.ScalarType.Bool).triu(1);
        var x = _parameters["model.embed_tokens.weight"].index_select(0, inputIds.reshape(-1)).view(batch, length, -1);
        for (int i = 0; i < Config.NumHiddenLayers; i++)
        {
            x = x.add(Attention(i, RmsNorm.Apply(x, Layer(i, "input_layernorm.weight"), Config.RmsNormEps), cos, sin, future), ScalarConstants.One);
            var h = RmsNorm.Apply(x, Layer(i, "post_attention_layernorm.weight"), Config.RmsNormEps);
            x = x.add(linear(linear(h, Layer(i, "mlp.gate_proj.weight")).silu() * linear(h, Layer(i, "mlp.up_proj.weight")), Layer(i, "mlp.down_proj.weight")), ScalarConstants.One);
        }
        x = RmsNorm.Apply(x, _parameters["model.norm.weight"], Config.RmsNormEps);
        return linear(x, Config.TieWordEmbeddings ? _parameters["model.embed_tokens.weight"] : _parameters["lm_head.weight"]);
    }

    /// <summary>The parameters as (name, fp16/bf16/fp32 copy) for <see cref="SafetensorsWriter"/>; the caller disposes them.</summary>
    public List<(string Name, torch.Tensor Tensor)> Export(torch.ScalarType dtype)
    {
        using var noGrad = torch.no_grad();
        return _parameters.Select(p => (p.Key, p.Value.detach().to(dtype).contiguous().clone())).ToList();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var p in _parameters.Values) p.Dispose();
        _parameters.Clear();
    }

    private torch.Tensor Layer(int layer, string local) => _parameters[DecoderLayout.LayerName("model.layers.{i}." + local, layer)];

    private torch.Tensor Attention(int layer, torch.Tensor x, torch.Tensor cos, torch.Tensor sin, torch.Tensor future)
    {
        long batch = x.shape[0], length = x.shape[1];
        int heads = Config.NumAttentionHeads, kvHeads = Config.NumKeyValueHeads, headDim = Config.HeadDim;
        var q = RotaryEmbedding.Apply(linear(x, Layer(layer, "self_attn.q_proj.weight")).view(batch, length, heads, headDim).transpose(1, 2), cos, sin);
        var k = RotaryEmbedding.Apply(linear(x, Layer(layer, "self_attn.k_proj.weight")).view(batch, length, kvHeads, headDim).transpose(1, 2), cos, sin);
        var v = linear(x, Layer(layer, "self_attn.v_proj.weight")).view(batch, length, kvHeads, headDim).transpose(1, 2);
        if (heads != kvHeads)
        {
            k = k.repeat_interleave(heads / kvHeads, dim: 1);
            v = v.repeat_interleave(heads / kvHeads, dim: 1);
        }
        using var scale = (1.0 / Math.Sqrt(headDim)).ToScalar();
        using var lowest = float.MinValue.ToScalar();
        var scores = q.matmul(k.transpose(2, 3)).mul(scale);
        var probabilities = scores.masked_fill(future, lowest).softmax(-1);
        var output = probabilities.matmul(v).transpose(1, 2).reshape(batch, length, (long)heads * headDim);
        return linear(output, Layer(layer, "self_attn.o_proj.weight"));
    }

    private static void RequirePlainLlama(DecoderLayout layout)
    {
        if (layout.Config.ModelType != "llama" || layout.ExpectedNames().Any(n => n.EndsWith(".bias", StringComparison.Ordinal) || n.Contains("_norm.", StringComparison.Ordinal) && n.Contains("self_attn", StringComparison.Ordinal)))
            throw new ArgumentException($"only plain llama decoders can be trained (got {layout.Config.ModelType})");
    }
}
