using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>
/// An independent float64 implementation of the HF Llama/Mistral/Qwen2/Qwen3 forward pass for one unpadded
/// sequence, written with plain loops over double arrays straight from the HF modeling code's math (it shares no
/// code with EvoMerge.Inference). Weights are read from the model directory and widened to float64.
/// </summary>
internal sealed class Float64ReferenceDecoder
{
    private readonly ModelConfig _config;
    private readonly Dictionary<string, double[]> _weights = new(StringComparer.Ordinal);

    public Float64ReferenceDecoder(string modelDirectory)
    {
        using var directory = ModelDirectory.Open(modelDirectory);
        _config = directory.Config;
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
        double[] inverseFrequencies = InverseFrequencies(t);
        var x = new double[t][];
        for (int i = 0; i < t; i++) x[i] = Row(W("model.embed_tokens.weight"), tokens[i], hidden);

        for (int layer = 0; layer < c.NumHiddenLayers; layer++)
        {
            string p = $"model.layers.{layer}.";
            var q = new double[t][];
            var k = new double[t][];
            var v = new double[t][];
            for (int i = 0; i < t; i++)
            {
                double[] h = Norm(x[i], W(p + "input_layernorm.weight"));
                q[i] = Linear(h, W(p + "self_attn.q_proj.weight"), heads * d, B(p + "self_attn.q_proj.bias"));
                k[i] = Linear(h, W(p + "self_attn.k_proj.weight"), kvHeads * d, B(p + "self_attn.k_proj.bias"));
                v[i] = Linear(h, W(p + "self_attn.v_proj.weight"), kvHeads * d, B(p + "self_attn.v_proj.bias"));
                if (c.ModelType == "qwen3")
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
                    for (int j = FirstVisibleKey(i); j <= i; j++)
                    {
                        double dot = 0;
                        for (int e = 0; e < d; e++) dot += q[i][head * d + e] * k[j][kvHead * d + e];
                        scores[j] = dot / Math.Sqrt(d);
                    }
                    double max = scores.Max(), total = scores.Sum(s => Math.Exp(s - max));
                    for (int j = FirstVisibleKey(i); j <= i; j++)
                    {
                        double weight = Math.Exp(scores[j] - max) / total;
                        for (int e = 0; e < d; e++) attended[i][head * d + e] += weight * v[j][kvHead * d + e];
                    }
                }
            }
            for (int i = 0; i < t; i++)
            {
                Add(x[i], Linear(attended[i], W(p + "self_attn.o_proj.weight"), hidden, null));
                double[] h = Norm(x[i], W(p + "post_attention_layernorm.weight"));
                double[] gate = Linear(h, W(p + "mlp.gate_proj.weight"), c.IntermediateSize, null);
                double[] up = Linear(h, W(p + "mlp.up_proj.weight"), c.IntermediateSize, null);
                for (int e = 0; e < gate.Length; e++) gate[e] = gate[e] / (1 + Math.Exp(-gate[e])) * up[e];
                Add(x[i], Linear(gate, W(p + "mlp.down_proj.weight"), hidden, null));
            }
        }

        double[] lmHead = W(c.TieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight");
        return x.Select(row => Linear(Norm(row, W("model.norm.weight")), lmHead, c.VocabSize, null)).ToArray();
    }

    /// <summary>Mistral's sliding window: query i sees key j when i − j &lt; sliding_window.</summary>
    private int FirstVisibleKey(int query) =>
        _config.ModelType == "mistral" && _config.Raw["sliding_window"] is JsonValue w ? Math.Max(0, query - (int)w + 1) : 0;

    /// <summary>HF rope init functions (default, linear, dynamic NTK, llama3) for a pass over <paramref name="length"/> positions.</summary>
    private double[] InverseFrequencies(int length)
    {
        var c = _config;
        int d = c.HeadDim;
        double theta = c.RopeTheta;
        var scaling = c.RopeScaling;
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
        for (int e = 0; e < length; e++) x[offset + e] = x[offset + e] * scale * weight[e];
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
