using System.Globalization;
using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Inference;

/// <summary>
/// Phi-3's <c>longrope</c> rotary scaling (HF <c>_compute_longrope_parameters</c>; <c>su</c> and <c>yarn</c> are its
/// old names in Phi3Config): inverse frequencies 1 / (factor_i · θ^(2i/d)) with <c>short_factor</c> for sequences
/// of at most <c>original_max_position_embeddings</c> tokens and <c>long_factor</c> beyond, and cos/sin multiplied
/// by the attention factor (<c>rope_scaling.attention_factor</c>, else √(1 + ln s / ln original) for
/// s = <c>rope_scaling.factor</c> or max_position_embeddings / original_max_position_embeddings, 1 when s ≤ 1).
/// HF picks the table by the whole batch's longest position; this picks it per row (each row's largest position
/// + 1), which is what every row gets when run alone.
/// </summary>
internal sealed class LongRopeScaling
{
    private readonly float[] _short;
    private readonly float[] _long;

    private LongRopeScaling(float[] shortInverse, float[] longInverse, int originalMaxPositions, double attentionFactor)
    {
        _short = shortInverse;
        _long = longInverse;
        OriginalMaxPositions = originalMaxPositions;
        AttentionFactor = attentionFactor;
    }

    /// <summary>Sequences longer than this use the long factors.</summary>
    public int OriginalMaxPositions { get; }

    /// <summary>The factor cos and sin are multiplied by.</summary>
    public double AttentionFactor { get; }

    /// <summary>Reads the factors and lengths; problems name config.json and the field.</summary>
    public static LongRopeScaling FromConfig(ModelConfig config, JsonObject scaling, int rotaryDim, double theta, string configPath)
    {
        int original = PositiveInt(config.Raw, "original_max_position_embeddings", configPath)
            ?? PositiveInt(scaling, "original_max_position_embeddings", configPath, "rope_scaling.") ?? 4096;
        double factor = scaling["factor"] is null ? (double)config.MaxPositionEmbeddings / original : Number(scaling, "factor", configPath);
        double attention = scaling["attention_factor"] is null
            ? factor <= 1.0 ? 1.0 : Math.Sqrt(1 + Math.Log(factor) / Math.Log(original))
            : Number(scaling, "attention_factor", configPath);
        return new LongRopeScaling(Inverse(scaling, "short_factor", rotaryDim, theta, configPath), Inverse(scaling, "long_factor", rotaryDim, theta, configPath),
            original, attention);
    }

    /// <summary>Per-row inverse frequencies <c>[B, d/2]</c> (fp32) for position ids <c>[B, T]</c>.</summary>
    public torch.Tensor InverseFrequencies(torch.Tensor positionIds)
    {
        using var limit = OriginalMaxPositions.ToScalar();
        var isLong = positionIds.max(1).values.add(ScalarConstants.One, ScalarConstants.One).gt(limit).unsqueeze(1);
        return torch.where(isLong, torch.tensor(_long, device: positionIds.device).unsqueeze(0), torch.tensor(_short, device: positionIds.device).unsqueeze(0));
    }

    /// <summary>1 / (factors · θ^(arange(0, d, 2) / d)) in fp32, as HF computes it.</summary>
    private static float[] Inverse(JsonObject scaling, string field, int rotaryDim, double theta, string configPath)
    {
        if (scaling[field] is not JsonArray values || values.Count != rotaryDim / 2
            || values.Any(v => v is not JsonValue n || !n.TryGetValue(out double d) || !double.IsFinite(d) || d <= 0))
            throw new ModelConfigException(configPath, "rope_scaling." + field,
                $"must be a list of {rotaryDim / 2} positive numbers (half the rotary dimension {rotaryDim})");
        using var scope = torch.NewDisposeScope();
        var factors = torch.tensor(values.Select(v => (float)v!.GetValue<double>()).ToArray());
        using var dim = rotaryDim.ToScalar();
        var exponents = torch.arange(ScalarConstants.Zero, dim, ScalarConstants.Two, dtype: torch.ScalarType.Int64).to(torch.ScalarType.Float32).div(dim);
        var powers = torch.tensor((float)theta).pow(exponents);
        return factors.mul(powers).reciprocal().data<float>().ToArray();
    }

    private static int? PositiveInt(JsonObject json, string field, string configPath, string prefix = "")
    {
        if (json[field] is null) return null;
        if (json[field] is JsonValue v && v.TryGetValue(out int n) && n > 1) return n;
        throw new ModelConfigException(configPath, prefix + field, $"must be an integer above 1 (got {json[field]!.ToJsonString()})");
    }

    private static double Number(JsonObject scaling, string field, string configPath)
    {
        if (scaling[field] is JsonValue value && value.TryGetValue(out double number) && double.IsFinite(number) && number > 0) return number;
        throw new ModelConfigException(configPath, "rope_scaling." + field,
            string.Create(CultureInfo.InvariantCulture, $"must be a positive number (got {scaling[field]!.ToJsonString()})"));
    }
}
