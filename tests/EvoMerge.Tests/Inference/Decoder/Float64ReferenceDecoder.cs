using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>
/// An independent float64 implementation of the HF Llama/Mistral/Qwen2/Qwen3 and Gemma/Gemma2/Gemma3-text forward
/// pass for one unpadded sequence, written with plain loops over double arrays straight from the HF modeling code's
/// math (it shares no code with EvoMerge.Inference and reads the Gemma fields from the raw config.json with
/// transformers' defaults). Weights are read from the model directory and widened to float64.
/// </summary>
internal sealed class Float64ReferenceDecoder
{
    private readonly ModelConfig _config;
    private readonly Dictionary<string, double[]> _weights = new(StringComparer.Ordinal);
    private readonly bool _gemma;
    private readonly bool _sandwich;

    public Float64ReferenceDecoder(string modelDirectory)
    {
        using var directory = ModelDirectory.Open(modelDirectory);
        _config = directory.Config;
        _gemma = _config.ModelType is "gemma" or "gemma2" or "gemma3_text";
        _sandwich = _config.ModelType is "gemma2" or "gemma3_text";
        foreach (string name in directory.Weights.Names)
        {
            using var tensor = directory.Weights.Load(name, torch.ScalarType.Float64);
            _weights[name] = tensor.data<double>().ToArray();
        }
    }

    /// <summary>Logits [T][vocab] for one sequence at positions 0 … T−1.</summary>
    public double[][] Logits(IReadOnlyList<int> tokens)
    {
        var c = _config;
        int t = tokens.Count, hidden = c.HiddenSize, heads = c.NumAttentionHeads, kvHeads = c.NumKeyValueHeads, d = c.HeadDim;
        double[] globalFrequencies = InverseFrequencies(t, c.RopeTheta, c.RopeScaling);
        double[] localFrequencies = InverseFrequencies(t, Number("rope_local_base_freq") ?? 10000.0, null);
        double scoreScale = _sandwich ? 1.0 / Math.Sqrt(Number("query_pre_attn_scalar") ?? 256) : 1.0 / Math.Sqrt(d);
        double? attentionCap = Softcap("attn_logit_softcapping", c.ModelType == "gemma2" ? 50.0 : null);
        double? finalCap = Softcap("final_logit_softcapping", c.ModelType == "gemma2" ? 30.0 : null);
        var x = new double[t][];
        for (int i = 0; i < t; i++)
        {
            x[i] = Row(W("model.embed_tokens.weight"), tokens[i], hidden);
            if (_gemma)
            {
                // HF: torch.tensor(hidden_size ** 0.5, dtype=model dtype); these fixtures are fp32.
                double normalizer = (float)Math.Sqrt(hidden);
                for (int e = 0; e < hidden; e++) x[i][e] *= normalizer;
            }
        }

        for (int layer = 0; layer < c.NumHiddenLayers; layer++)
        {
            string p = $"model.layers.{layer}.";
            bool sliding = IsSlidingLayer(layer);
            double[] inverseFrequencies = c.ModelType == "gemma3_text" && sliding ? localFrequencies : globalFrequencies;
            var q = new double[t][];
            var k = new double[t][];
            var v = new double[t][];
            for (int i = 0; i < t; i++)
            {
                double[] h = Norm(x[i], W(p + "input_layernorm.weight"));
                q[i] = Linear(h, W(p + "self_attn.q_proj.weight"), heads * d, B(p + "self_attn.q_proj.bias"));
                k[i] = Linear(h, W(p + "self_attn.k_proj.weight"), kvHeads * d, B(p + "self_attn.k_proj.bias"));
                v[i] = Linear(h, W(p + "self_attn.v_proj.weight"), kvHeads * d, B(p + "self_attn.v_proj.bias"));
                if (c.ModelType is "qwen3" or "gemma3_text")
                {
                    for (int head = 0; head < heads; head++) NormInPlace(q[i], head * d, d, W(p + "self_attn.q_norm.weight"));
                    for (int head = 0; head < kvHeads; head++) NormInPlace(k[i], head * d, d, W(p + "self_attn.k_norm.weight"));
                }
                for (int head = 0; head < heads; head++) Rotate(q[i], head * d, d, i, inverseFrequencies);
                for (int head = 0; head < kvHeads; head++) Rotate(k[i], head * d, d, i, inverseFrequencies);
            }

            var attended = new double[t][];
            for (int i = 0; i < t; i++)
            {
                attended[i] = new double[heads * d];
                for (int head = 0; head < heads; head++)
                {
                    int kvHead = head / (heads / kvHeads);
                    var scores = Enumerable.Repeat(double.NegativeInfinity, i + 1).ToArray();
                    for (int j = FirstVisibleKey(i, sliding); j <= i; j++)
                    {
                        double dot = 0;
                        for (int e = 0; e < d; e++) dot += q[i][head * d + e] * k[j][kvHead * d + e];
                        scores[j] = dot * scoreScale;
                        if (attentionCap is { } cap) scores[j] = cap * Math.Tanh(scores[j] / cap);
                    }
                    double max = scores.Max(), total = scores.Sum(s => Math.Exp(s - max));
                    for (int j = FirstVisibleKey(i, sliding); j <= i; j++)
                    {
                        double weight = Math.Exp(scores[j] - max) / total;
                        for (int e = 0; e < d; e++) attended[i][head * d + e] += weight * v[j][kvHead * d + e];
                    }
                }
            }
            for (int i = 0; i < t; i++)
            {
                double[] attention = Linear(attended[i], W(p + "self_attn.o_proj.weight"), hidden, null);
                Add(x[i], _sandwich ? Norm(attention, W(p + "post_attention_layernorm.weight")) : attention);
                double[] h = Norm(x[i], W(p + (_sandwich ? "pre_feedforward_layernorm.weight" : "post_attention_layernorm.weight")));
                double[] gate = Linear(h, W(p + "mlp.gate_proj.weight"), c.IntermediateSize, null);
                double[] up = Linear(h, W(p + "mlp.up_proj.weight"), c.IntermediateSize, null);
                for (int e = 0; e < gate.Length; e++) gate[e] = (_gemma ? GeluTanh(gate[e]) : gate[e] / (1 + Math.Exp(-gate[e]))) * up[e];
                double[] mlp = Linear(gate, W(p + "mlp.down_proj.weight"), hidden, null);
                Add(x[i], _sandwich ? Norm(mlp, W(p + "post_feedforward_layernorm.weight")) : mlp);
            }
        }

        double[] lmHead = W(c.TieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight");
        var logits = x.Select(row => Linear(Norm(row, W("model.norm.weight")), lmHead, c.VocabSize, null)).ToArray();
        if (finalCap is { } final)
        {
            foreach (var row in logits)
            {
                for (int v = 0; v < row.Length; v++) row[v] = final * Math.Tanh(row[v] / final);
            }
        }
        return logits;
    }

    /// <summary>
    /// Mistral's sliding window, and Gemma 2/3's on their sliding layers: query i sees key j when i − j &lt; sliding_window.
    /// </summary>
    private int FirstVisibleKey(int query, bool slidingLayer)
    {
        bool windowed = _config.ModelType == "mistral" || (_sandwich && slidingLayer);
        int? window = _config.Raw["sliding_window"] is JsonValue w ? (int)w : _sandwich ? 4096 : null;
        return windowed && window is { } size ? Math.Max(0, query - size + 1) : 0;
    }

    /// <summary>Gemma 2: even layers slide; Gemma 3: all but every sliding_window_pattern-th (6); layer_types overrides both.</summary>
    private bool IsSlidingLayer(int layer)
    {
        if (_config.Raw["layer_types"] is JsonArray types) return (string)types[layer]! == "sliding_attention";
        if (_config.ModelType == "gemma2") return layer % 2 == 0;
        int pattern = _config.Raw["sliding_window_pattern"] is JsonValue p ? (int)p : 6;
        return _config.ModelType == "gemma3_text" && (layer + 1) % pattern != 0;
    }

    private double? Number(string field) => _config.Raw[field] is JsonValue v ? (double)v : null;

    private double? Softcap(string field, double? fallback) => _config.Raw.ContainsKey(field) ? Number(field) : fallback;

    /// <summary>gelu_pytorch_tanh: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    private static double GeluTanh(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    /// <summary>HF rope init functions (default, linear, dynamic NTK, llama3) for a pass over <paramref name="length"/> positions.</summary>
    private double[] InverseFrequencies(int length, double theta, JsonObject? scaling)
    {
        var c = _config;
        int d = c.HeadDim;
        string type = scaling is null ? "default" : (string)(scaling["rope_type"] ?? scaling["type"])!;
        double Field(string name) => (double)scaling![name]!;
        if (type == "dynamic" && length > c.MaxPositionEmbeddings)
        {
            double factor = Field("factor");
            theta *= Math.Pow(factor * length / c.MaxPositionEmbeddings - (factor - 1), d / (d - 2.0));
        }
        var result = new double[d / 2];
        for (int i = 0; i < d / 2; i++)
        {
            double f = 1.0 / Math.Pow(theta, (2.0 * i) / d);
            if (type == "linear") f /= Field("factor");
            if (type == "llama3")
            {
                double factor = Field("factor"), low = Field("low_freq_factor"), high = Field("high_freq_factor");
                double original = Field("original_max_position_embeddings");
                double wavelength = 2 * Math.PI / f;
                if (wavelength > original / low)
                {
                    f /= factor;
                }
                else if (wavelength >= original / high)
                {
                    double smooth = (original / wavelength - low) / (high - low);
                    f = (1 - smooth) * f / factor + smooth * f;
                }
            }
            result[i] = f;
        }
        return result;
    }

    /// <summary>rotate_half convention: element e pairs with e + d/2.</summary>
    private static void Rotate(double[] vector, int offset, int d, int position, double[] inverseFrequencies)
    {
        for (int e = 0; e < d / 2; e++)
        {
            double angle = position * inverseFrequencies[e];
            double first = vector[offset + e], second = vector[offset + e + d / 2];
            vector[offset + e] = first * Math.Cos(angle) - second * Math.Sin(angle);
            vector[offset + e + d / 2] = second * Math.Cos(angle) + first * Math.Sin(angle);
        }
    }

    private double[] Norm(double[] x, double[] weight)
    {
        var copy = (double[])x.Clone();
        NormInPlace(copy, 0, copy.Length, weight);
        return copy;
    }

    private void NormInPlace(double[] x, int offset, int length, double[] weight)
    {
        double meanSquare = 0;
        for (int e = 0; e < length; e++) meanSquare += x[offset + e] * x[offset + e];
        double scale = 1.0 / Math.Sqrt(meanSquare / length + _config.RmsNormEps);
        for (int e = 0; e < length; e++) x[offset + e] = x[offset + e] * scale * (_gemma ? 1 + weight[e] : weight[e]);
    }

    /// <summary>y = W·x + b for W stored [outputs, inputs] row-major (torch Linear).</summary>
    private static double[] Linear(double[] x, double[] weight, int outputs, double[]? bias)
    {
        var y = new double[outputs];
        for (int o = 0; o < outputs; o++)
        {
            double sum = bias?[o] ?? 0;
            for (int e = 0; e < x.Length; e++) sum += weight[o * x.Length + e] * x[e];
            y[o] = sum;
        }
        return y;
    }

    private static double[] Row(double[] matrix, int row, int width) => matrix.AsSpan(row * width, width).ToArray();

    private static void Add(double[] target, double[] addend)
    {
        for (int e = 0; e < target.Length; e++) target[e] += addend[e];
    }

    private double[] W(string name) => _weights[name];

    private double[]? B(string name) => _weights.GetValueOrDefault(name);
}
