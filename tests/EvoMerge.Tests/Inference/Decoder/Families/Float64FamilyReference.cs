using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Tests.Inference.Decoder.Families;

/// <summary>
/// An independent float64 forward pass of HF's Phi-3 and Mixtral for one unpadded sequence, in plain loops over
/// double arrays from modeling_phi3.py / modeling_mixtral.py and their config classes (shares no code with
/// EvoMerge.Inference): Phi-3 reads q, k, v and gate, up as row ranges of the fused matrices, rotates the first
/// int(head_dim · partial_rotary_factor) dimensions, and with longrope divides θ^(2i/d) by short or long factors by
/// sequence length and scales cos/sin by the attention factor; Mixtral softmaxes the router logits, keeps the top k,
/// renormalises and sums the experts' SwiGLU outputs. Sliding window: key j visible from query i when i − j &lt; window.
/// </summary>
internal sealed class Float64FamilyReference
{
    private readonly ModelConfig _config;
    private readonly JsonObject _raw;
    private readonly Dictionary<string, double[]> _weights = new(StringComparer.Ordinal);

    public Float64FamilyReference(string modelDirectory)
    {
        using var directory = ModelDirectory.Open(modelDirectory);
        _config = directory.Config;
        _raw = _config.Raw;
        foreach (string name in directory.Weights.Names)
        {
            using var tensor = directory.Weights.Load(name, torch.ScalarType.Float64);
            _weights[name] = tensor.data<double>().ToArray();
        }
    }

    private bool IsPhi3 => _config.ModelType == "phi3";

    private double Eps => _raw["rms_norm_eps"] is JsonValue v ? (double)v : 1e-5;

    /// <summary>Logits [T][vocab] for one sequence at positions 0 … T−1.</summary>
    public double[][] Logits(IReadOnlyList<int> tokens)
    {
        var c = _config;
        int t = tokens.Count, hidden = c.HiddenSize, heads = c.NumAttentionHeads, kvHeads = c.NumKeyValueHeads, d = hidden / heads;
        int rotary = IsPhi3 && _raw["partial_rotary_factor"] is JsonValue p ? (int)(d * (double)p) : d;
        var (inverse, attentionFactor) = Frequencies(t, rotary);
        int window = _raw["sliding_window"] is JsonValue w ? (int)w : int.MaxValue;
        var x = new double[t][];
        for (int i = 0; i < t; i++) x[i] = W("model.embed_tokens.weight").AsSpan(tokens[i] * hidden, hidden).ToArray();

        for (int layer = 0; layer < c.NumHiddenLayers; layer++)
        {
            string pre = $"model.layers.{layer}.";
            var q = new double[t][];
            var k = new double[t][];
            var v = new double[t][];
            for (int i = 0; i < t; i++)
            {
                double[] h = Norm(x[i], W(pre + "input_layernorm.weight"));
                if (IsPhi3)
                {
                    double[] qkv = Linear(h, W(pre + "self_attn.qkv_proj.weight"), (heads + 2 * kvHeads) * d);
                    q[i] = qkv[..(heads * d)];
                    k[i] = qkv[(heads * d)..((heads + kvHeads) * d)];
                    v[i] = qkv[((heads + kvHeads) * d)..];
                }
                else
                {
                    q[i] = Linear(h, W(pre + "self_attn.q_proj.weight"), heads * d);
                    k[i] = Linear(h, W(pre + "self_attn.k_proj.weight"), kvHeads * d);
                    v[i] = Linear(h, W(pre + "self_attn.v_proj.weight"), kvHeads * d);
                }
                for (int head = 0; head < heads; head++) Rotate(q[i], head * d, rotary, i, inverse, attentionFactor);
                for (int head = 0; head < kvHeads; head++) Rotate(k[i], head * d, rotary, i, inverse, attentionFactor);
            }
            var attended = new double[t][];
            for (int i = 0; i < t; i++)
            {
                attended[i] = new double[heads * d];
                int first = Math.Max(0, i - window + 1);
                for (int head = 0; head < heads; head++)
                {
                    int kvHead = head / (heads / kvHeads);
                    var scores = new double[i + 1];
                    for (int j = first; j <= i; j++)
                    {
                        double dot = 0;
                        for (int e = 0; e < d; e++) dot += q[i][head * d + e] * k[j][kvHead * d + e];
                        scores[j] = dot / Math.Sqrt(d);
                    }
                    double max = scores[first..].Max(), total = scores[first..].Sum(s => Math.Exp(s - max));
                    for (int j = first; j <= i; j++)
                    {
                        double weight = Math.Exp(scores[j] - max) / total;
                        for (int e = 0; e < d; e++) attended[i][head * d + e] += weight * v[j][kvHead * d + e];
                    }
                }
            }
            for (int i = 0; i < t; i++)
            {
                Add(x[i], Linear(attended[i], W(pre + "self_attn.o_proj.weight"), hidden));
                double[] h = Norm(x[i], W(pre + "post_attention_layernorm.weight"));
                Add(x[i], IsPhi3 ? Phi3Mlp(h, pre) : Experts(h, pre));
            }
        }
        return x.Select(row => Linear(Norm(row, W("model.norm.weight")), W("lm_head.weight"), c.VocabSize)).ToArray();
    }

    private double[] Phi3Mlp(double[] h, string pre)
    {
        int n = _config.IntermediateSize;
        double[] gateUp = Linear(h, W(pre + "mlp.gate_up_proj.weight"), 2 * n);
        var product = new double[n];
        for (int e = 0; e < n; e++) product[e] = Silu(gateUp[e]) * gateUp[n + e];
        return Linear(product, W(pre + "mlp.down_proj.weight"), _config.HiddenSize);
    }

    private double[] Experts(double[] h, string pre)
    {
        int experts = (int)_raw["num_local_experts"]!, topK = _raw["num_experts_per_tok"] is JsonValue k ? (int)k : 2;
        double[] logits = Linear(h, W(pre + "block_sparse_moe.gate.weight"), experts);
        double max = logits.Max();
        double[] probabilities = logits.Select(l => Math.Exp(l - max)).ToArray();
        double sum = probabilities.Sum();
        int[] chosen = Enumerable.Range(0, experts).OrderByDescending(e => probabilities[e]).Take(topK).ToArray();
        double chosenSum = chosen.Sum(e => probabilities[e] / sum);
        var output = new double[h.Length];
        foreach (int e in chosen)
        {
            string expert = $"{pre}block_sparse_moe.experts.{e}.";
            double[] gate = Linear(h, W(expert + "w1.weight"), _config.IntermediateSize);
            double[] up = Linear(h, W(expert + "w3.weight"), _config.IntermediateSize);
            for (int j = 0; j < gate.Length; j++) gate[j] = Silu(gate[j]) * up[j];
            double[] y = Linear(gate, W(expert + "w2.weight"), h.Length);
            double weight = probabilities[e] / sum / chosenSum;
            for (int j = 0; j < y.Length; j++) output[j] += weight * y[j];
        }
        return output;
    }

    /// <summary>Inverse frequencies over <paramref name="rotary"/> dimensions and the cos/sin factor.</summary>
    private (double[] Inverse, double Factor) Frequencies(int length, int rotary)
    {
        double theta = _raw["rope_theta"] is JsonValue r ? (double)r : IsPhi3 ? 10000.0 : 1e6;
        var inverse = new double[rotary / 2];
        for (int i = 0; i < rotary / 2; i++) inverse[i] = 1.0 / Math.Pow(theta, 2.0 * i / rotary);
        if (_raw["rope_scaling"] is not JsonObject scaling) return (inverse, 1.0);
        double original = (double)_raw["original_max_position_embeddings"]!, maxPositions = (double)_raw["max_position_embeddings"]!;
        var factors = (JsonArray)scaling[length > original ? "long_factor" : "short_factor"]!;
        for (int i = 0; i < inverse.Length; i++) inverse[i] /= (double)factors[i]!;
        double scale = maxPositions / original;
        return (inverse, scale <= 1 ? 1.0 : Math.Sqrt(1 + Math.Log(scale) / Math.Log(original)));
    }

    /// <summary>rotate_half over the first <paramref name="rotary"/> dimensions of the head at <paramref name="offset"/>.</summary>
    private static void Rotate(double[] vector, int offset, int rotary, int position, double[] inverse, double factor)
    {
        for (int e = 0; e < rotary / 2; e++)
        {
            double angle = position * inverse[e], cos = Math.Cos(angle) * factor, sin = Math.Sin(angle) * factor;
            double first = vector[offset + e], second = vector[offset + e + rotary / 2];
            vector[offset + e] = first * cos - second * sin;
            vector[offset + e + rotary / 2] = second * cos + first * sin;
        }
    }

    private static double Silu(double z) => z / (1 + Math.Exp(-z));

    private double[] Norm(double[] x, double[] weight)
    {
        double meanSquare = x.Sum(e => e * e) / x.Length;
        double scale = 1.0 / Math.Sqrt(meanSquare + Eps);
        return x.Select((e, i) => e * scale * weight[i]).ToArray();
    }

    private static double[] Linear(double[] x, double[] weight, int outputs)
    {
        var y = new double[outputs];
        for (int o = 0; o < outputs; o++)
        {
            double sum = 0;
            for (int e = 0; e < x.Length; e++) sum += weight[o * x.Length + e] * x[e];
            y[o] = sum;
        }
        return y;
    }

    private static void Add(double[] target, double[] addend)
    {
        for (int e = 0; e < target.Length; e++) target[e] += addend[e];
    }

    private double[] W(string name) => _weights[name];
}
