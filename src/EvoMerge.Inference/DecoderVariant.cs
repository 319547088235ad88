using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Inference;

/// <summary>
/// Where one model's forward pass departs from Llama's, read from its config: Mistral's sliding window, and the
/// Gemma families' scaled embeddings, (1 + w) RMSNorm, GeGLU, attention scale, attention and final logit
/// soft-capping, per-layer sliding windows and Gemma 3's local rotary base on sliding layers
/// (<see cref="GemmaFamilyConfig"/>). Llama, Qwen2 and Qwen3 use none of it.
/// </summary>
internal sealed class DecoderVariant
{
    private readonly ModelConfig _config;
    private readonly GemmaFamilyConfig? _gemma;
    private readonly int? _mistralWindow;

    private DecoderVariant(ModelConfig config, GemmaFamilyConfig? gemma, int? mistralWindow, IReadOnlyList<RotaryEmbedding> rotaries)
    {
        _config = config;
        _gemma = gemma;
        _mistralWindow = mistralWindow;
        Rotaries = rotaries;
    }

    /// <summary>The rotary embeddings: the model's own first, Gemma 3's local one (sliding layers) second.</summary>
    public IReadOnlyList<RotaryEmbedding> Rotaries { get; }

    /// <summary>The variant of a config; bad fields name the file and the field.</summary>
    public static DecoderVariant FromConfig(ModelConfig config, string configPath)
    {
        var gemma = GemmaFamilyConfig.Read(config, configPath);
        var rotaries = new List<RotaryEmbedding> { RotaryEmbedding.FromConfig(config, configPath) };
        if (gemma?.LocalRopeTheta is { } local)
            rotaries.Add(RotaryEmbedding.FromConfig(config with { RopeTheta = local, RopeScaling = null }, configPath));
        return new DecoderVariant(config, gemma, MistralWindowOf(config, configPath), rotaries);
    }

    /// <summary>The sliding window of layer <paramref name="layer"/> (key j visible from query i when i − j &lt; window), null for full attention.</summary>
    public int? SlidingWindow(int layer) => _gemma is null ? _mistralWindow : _gemma.SlidingLayers[layer] ? _gemma.SlidingWindow : null;

    /// <summary>Index into <see cref="Rotaries"/> of the rotary embedding layer <paramref name="layer"/> uses.</summary>
    public int RotaryIndex(int layer) => Rotaries.Count > 1 && _gemma!.SlidingLayers[layer] ? 1 : 0;

    /// <summary>The factor attention scores are multiplied by before soft-capping and masking.</summary>
    public double AttentionScale => _gemma?.AttentionScale ?? 1.0 / Math.Sqrt(_config.HeadDim);

    /// <summary>Gemma multiplies the embeddings by √hidden_size rounded to the model dtype (in place).</summary>
    public void ScaleEmbeddings(torch.Tensor embeddings)
    {
        if (_gemma is null) return;
        using var scope = torch.NewDisposeScope();
        embeddings.mul_(torch.tensor(Math.Sqrt(_config.HiddenSize), embeddings.dtype));
    }

    /// <summary>The family's RMSNorm: Llama's, or Gemma's (1 + w) computed in fp32.</summary>
    public torch.Tensor Norm(torch.Tensor x, torch.Tensor weight) =>
        _gemma is null ? RmsNorm.Apply(x, weight, _config.RmsNormEps) : GemmaRmsNorm.Apply(x, weight, _config.RmsNormEps);

    /// <summary>The MLP's gate activation (may work in place on <paramref name="gate"/>): SiLU, or Gemma's GELU.</summary>
    public torch.Tensor Activate(torch.Tensor gate)
    {
        if (_gemma is null) return gate.silu_();
        if (_gemma.Activation == "gelu") return gate.gelu();
        // gelu_pytorch_tanh / gelu_new: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), in fp32 as PyTorch computes it.
        var x = gate.to(torch.ScalarType.Float32);
        using var kappa = 0.044715.ToScalar();
        using var beta = Math.Sqrt(2.0 / Math.PI).ToScalar();
        using var half = 0.5.ToScalar();
        using var three = 3.ToScalar();
        var inner = x.pow(three).mul_(kappa).add_(x, ScalarConstants.One).mul_(beta);
        return inner.tanh_().add_(ScalarConstants.One, ScalarConstants.One).mul_(x).mul_(half).to(gate.dtype);
    }

    /// <summary>Attention scores soft-capped in place (Gemma 2; Gemma 3 when configured).</summary>
    public torch.Tensor CapAttentionScores(torch.Tensor scores) => _gemma?.AttentionSoftcap is { } cap ? Softcap(scores, cap) : scores;

    /// <summary>LM-head logits soft-capped in place (Gemma 2; Gemma 3 when configured).</summary>
    public torch.Tensor CapLogits(torch.Tensor logits) => _gemma?.FinalSoftcap is { } cap ? Softcap(logits, cap) : logits;

    /// <summary>cap·tanh(x / cap), in place.</summary>
    internal static torch.Tensor Softcap(torch.Tensor x, double cap)
    {
        using var c = cap.ToScalar();
        return x.div_(c).tanh_().mul_(c);
    }

    /// <summary>Mistral's, Phi-3's and Mixtral's <c>sliding_window</c> (absent or null: full causal attention).</summary>
    private static int? MistralWindowOf(ModelConfig config, string configPath)
    {
        if (config.ModelType is not ("mistral" or "phi3" or "mixtral") || config.Raw["sliding_window"] is null) return null;
        if (config.Raw["sliding_window"] is JsonValue value && value.TryGetValue(out int window) && window > 0) return window;
        throw new ModelConfigException(configPath, "sliding_window", "must be a positive integer or null");
    }
}
