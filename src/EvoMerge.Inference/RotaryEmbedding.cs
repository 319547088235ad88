using System.Globalization;
using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Inference;

/// <summary>
/// Rotary position embedding in HF's <c>rotate_half</c> convention (the two halves of each head are the rotated
/// pairs), with <c>rope_theta</c> and the <c>rope_scaling</c> types <c>default</c>, <c>linear</c>, <c>dynamic</c>
/// (NTK-aware, HF <c>_compute_dynamic_ntk_parameters</c>) and <c>llama3</c> (HF <c>_compute_llama3_parameters</c>).
/// Phi-3 rotates only the first <c>partial_rotary_factor</c> of each head and takes <c>longrope</c> (see
/// <see cref="LongRopeScaling"/>; <c>su</c> and <c>yarn</c> are its old names there) instead of the others.
/// </summary>
public sealed class RotaryEmbedding
{
    /// <summary>The <c>rope_scaling</c> types this decoder implements.</summary>
    public static readonly IReadOnlyList<string> SupportedTypes = ["default", "linear", "dynamic", "llama3"];

    private readonly int _headDim;
    private readonly double _theta;
    private readonly double _factor;
    private readonly int _maxPositionEmbeddings;
    private readonly float[] _inverseFrequencies;
    private LongRopeScaling? _longRope;

    private RotaryEmbedding(string ropeType, int headDim, double theta, double factor, int maxPositionEmbeddings, float[] inverseFrequencies)
    {
        RopeType = ropeType;
        _headDim = headDim;
        _theta = theta;
        _factor = factor;
        _maxPositionEmbeddings = maxPositionEmbeddings;
        _inverseFrequencies = inverseFrequencies;
    }

    /// <summary>The scaling type in effect ("default" when config.json has no <c>rope_scaling</c>).</summary>
    public string RopeType { get; }

    /// <summary>Sequences longer than this are rotated with other tables (longrope's long factors), or null.</summary>
    public int? TableSwitchLength => _longRope?.OriginalMaxPositions;

    /// <summary>Reads <c>rope_theta</c>, <c>head_dim</c> and <c>rope_scaling</c>; problems name config.json and the field.</summary>
    public static RotaryEmbedding FromConfig(ModelConfig config, string configPath)
    {
        if (config.HeadDim % 2 != 0)
            throw new ModelConfigException(configPath, "head_dim", $"{config.HeadDim} must be even for rotary embeddings");
        int rotaryDim = PartialRotary.Dimension(config, configPath);
        float[] defaults = DefaultInverseFrequencies(config.RopeTheta, rotaryDim);
        var scaling = config.RopeScaling;
        string ropeType = scaling is null ? "default" : RopeTypeOf(scaling, configPath);
        if (config.ModelType == "phi3") return Phi3(config, configPath, rotaryDim, defaults, ropeType);
        switch (ropeType)
        {
            case "default":
                return new RotaryEmbedding(ropeType, config.HeadDim, config.RopeTheta, 1.0, config.MaxPositionEmbeddings, defaults);
            case "linear":
            {
                double factor = Number(scaling!, "factor", configPath);
                return new RotaryEmbedding(ropeType, config.HeadDim, config.RopeTheta, factor, config.MaxPositionEmbeddings,
                    InFloat32(defaults, inverse =>
                    {
                        using var f = factor.ToScalar();
                        return inverse.div(f);
                    }));
            }
            case "dynamic":
            {
                double factor = Number(scaling!, "factor", configPath);
                return new RotaryEmbedding(ropeType, config.HeadDim, config.RopeTheta, factor, config.MaxPositionEmbeddings, defaults);
            }
            case "llama3":
                return new RotaryEmbedding(ropeType, config.HeadDim, config.RopeTheta, Number(scaling!, "factor", configPath),
                    config.MaxPositionEmbeddings, Llama3InverseFrequencies(defaults, scaling!, configPath));
            default:
                throw new ModelConfigException(configPath, "rope_scaling",
                    $"type '{ropeType}' is not supported (supported: {string.Join(", ", SupportedTypes)})");
        }
    }

    /// <summary>
    /// The inverse frequencies used for a forward pass whose largest position is <paramref name="sequenceLength"/> − 1.
    /// Only <c>dynamic</c> depends on it: beyond <c>max_position_embeddings</c> the base grows as
    /// θ·(factor·L/max − (factor − 1))^(d/(d−2)), in fp32 as HF computes it. HF caches the largest base it has
    /// seen; this is stateless, which is the same for every pass that starts from an empty cache.
    /// </summary>
    public float[] InverseFrequencies(long sequenceLength)
    {
        if (RopeType != "dynamic" || sequenceLength <= _maxPositionEmbeddings) return _inverseFrequencies;
        using var scope = torch.NewDisposeScope();
        var length = torch.tensor(sequenceLength);
        using var factor = _factor.ToScalar();
        using var maxPositions = _maxPositionEmbeddings.ToScalar();
        using var shift = (_factor - 1).ToScalar();
        using var exponent = (_headDim / (_headDim - 2.0)).ToScalar();
        using var theta = _theta.ToScalar();
        var scaledBase = length.mul(factor).div(maxPositions).sub(shift).pow(exponent).mul(theta);
        return InverseFrequenciesOfBase(scaledBase, _headDim);
    }

    /// <summary>
    /// Cosine and sine tables for position ids <c>[B, T]</c>, shaped <c>[B, 1, T, head_dim]</c> (broadcast over heads)
    /// and cast to <paramref name="dtype"/>; computed in fp32 as HF does.
    /// </summary>
    public (torch.Tensor Cos, torch.Tensor Sin) CosSin(torch.Tensor positionIds, torch.ScalarType dtype)
    {
        if (_longRope is not null) return LongRopeCosSin(positionIds, dtype);
        long sequenceLength = RopeType == "dynamic" ? positionIds.max().item<long>() + 1 : 0;
        var inverseFrequencies = torch.tensor(InverseFrequencies(sequenceLength), device: positionIds.device);
        var frequencies = positionIds.to(torch.ScalarType.Float32).unsqueeze(-1) * inverseFrequencies;
        var angles = torch.cat([frequencies, frequencies], -1).unsqueeze(1);
        return (angles.cos().to(dtype), angles.sin().to(dtype));
    }

    /// <summary>
    /// Rotates <c>[B, heads, T, head_dim]</c> by the tables from <see cref="CosSin"/>: x·cos + rotate_half(x)·sin over
    /// the first cos-width dimensions of each head; the rest (partial rotary) pass through unchanged.
    /// </summary>
    public static torch.Tensor Apply(torch.Tensor x, torch.Tensor cos, torch.Tensor sin)
    {
        long rotary = cos.shape[^1], width = x.shape[^1];
        if (rotary == width) return (x * cos).add(RotateHalf(x) * sin, ScalarConstants.One);
        var rotated = x.narrow(-1, 0, rotary);
        return torch.cat([(rotated * cos).add(RotateHalf(rotated) * sin, ScalarConstants.One), x.narrow(-1, rotary, width - rotary)], -1);
    }

    /// <summary>HF's <c>rotate_half</c>: (x1, x2) → (−x2, x1) over the two halves of the last dimension.</summary>
    public static torch.Tensor RotateHalf(torch.Tensor x)
    {
        long half = x.shape[^1] / 2;
        var first = x.narrow(-1, 0, half);
        var second = x.narrow(-1, half, half);
        return torch.cat([-second, first], -1);
    }

    /// <summary>Phi-3's rope: default or longrope (su and yarn are longrope's old names in Phi3Config), nothing else.</summary>
    private static RotaryEmbedding Phi3(ModelConfig config, string configPath, int rotaryDim, float[] defaults, string ropeType)
    {
        var rotary = new RotaryEmbedding(ropeType is "su" or "yarn" ? "longrope" : ropeType, rotaryDim, config.RopeTheta, 1.0, config.MaxPositionEmbeddings, defaults);
        if (rotary.RopeType == "default") return rotary;
        if (rotary.RopeType != "longrope")
            throw new ModelConfigException(configPath, "rope_scaling", $"type '{ropeType}' is not supported for phi3 (supported: default, longrope, su, yarn)");
        rotary._longRope = LongRopeScaling.FromConfig(config, config.RopeScaling!, rotaryDim, config.RopeTheta, configPath);
        return rotary;
    }

    /// <summary>Longrope's tables: each row's own factors, cos and sin times the attention factor, in fp32 as HF.</summary>
    private (torch.Tensor Cos, torch.Tensor Sin) LongRopeCosSin(torch.Tensor positionIds, torch.ScalarType dtype)
    {
        var inverse = _longRope!.InverseFrequencies(positionIds).unsqueeze(1);
        var frequencies = positionIds.to(torch.ScalarType.Float32).unsqueeze(-1) * inverse;
        var angles = torch.cat([frequencies, frequencies], -1).unsqueeze(1);
        using var factor = _longRope.AttentionFactor.ToScalar();
        return (angles.cos().mul(factor).to(dtype), angles.sin().mul(factor).to(dtype));
    }

    /// <summary>HF's default init, in fp32 tensor arithmetic as HF does it: 1 / θ^(arange(0, d, 2) / d).</summary>
    private static float[] DefaultInverseFrequencies(double theta, int headDim)
    {
        using var scope = torch.NewDisposeScope();
        return InverseFrequenciesOfBase(torch.tensor((float)theta), headDim);
    }

    private static float[] InverseFrequenciesOfBase(torch.Tensor ropeBase, int headDim)
    {
        using var scope = torch.NewDisposeScope();
        using var dim = headDim.ToScalar();
        using var one = 1.0.ToScalar();
        var exponents = torch.arange(ScalarConstants.Zero, dim, ScalarConstants.Two, dtype: torch.ScalarType.Int64).to(torch.ScalarType.Float32).div(dim);
        return ropeBase.pow(exponents).reciprocal().mul(one).data<float>().ToArray();
    }

    /// <summary>HF's <c>_compute_llama3_parameters</c>, step for step in fp32 tensors.</summary>
    private static float[] Llama3InverseFrequencies(float[] defaults, JsonObject scaling, string configPath)
    {
        double factor = Number(scaling, "factor", configPath);
        double lowFreqFactor = Number(scaling, "low_freq_factor", configPath);
        double highFreqFactor = Number(scaling, "high_freq_factor", configPath);
        double originalContext = Number(scaling, "original_max_position_embeddings", configPath);
        if (highFreqFactor == lowFreqFactor)
            throw new ModelConfigException(configPath, "rope_scaling.high_freq_factor", "must differ from low_freq_factor");
        double lowFreqWavelength = originalContext / lowFreqFactor;
        double highFreqWavelength = originalContext / highFreqFactor;
        return InFloat32(defaults, inverse =>
        {
            using var twoPi = (2 * Math.PI).ToScalar();
            using var low = lowFreqWavelength.ToScalar();
            using var high = highFreqWavelength.ToScalar();
            using var f = factor.ToScalar();
            using var context = originalContext.ToScalar();
            using var lowFactor = lowFreqFactor.ToScalar();
            using var range = (highFreqFactor - lowFreqFactor).ToScalar();
            var wavelength = inverse.reciprocal().mul(twoPi);
            var scaled = torch.where(wavelength.gt(low), inverse.div(f), inverse);
            var smooth = wavelength.reciprocal().mul(context).sub(lowFactor).div(range);
            var smoothed = ((-smooth).add(ScalarConstants.One, ScalarConstants.One) * scaled).div(f).add(smooth * scaled, ScalarConstants.One);
            var isMedium = wavelength.lt(high).logical_not().logical_and(wavelength.gt(low).logical_not());
            return torch.where(isMedium, smoothed, scaled);
        });
    }

    private static float[] InFloat32(float[] values, Func<torch.Tensor, torch.Tensor> compute)
    {
        using var scope = torch.NewDisposeScope();
        return compute(torch.tensor(values)).data<float>().ToArray();
    }

    private static string RopeTypeOf(JsonObject scaling, string configPath)
    {
        var node = scaling["rope_type"] ?? scaling["type"];
        if (node is JsonValue value && value.TryGetValue(out string? type)) return type;
        throw new ModelConfigException(configPath, "rope_scaling", "needs a 'rope_type' (or 'type') string");
    }

    private static double Number(JsonObject scaling, string field, string configPath)
    {
        if (scaling[field] is JsonValue value && value.TryGetValue(out double number) && double.IsFinite(number)) return number;
        throw new ModelConfigException(configPath, "rope_scaling." + field,
            scaling[field] is null ? "is missing" : string.Create(CultureInfo.InvariantCulture, $"must be a number (got {scaling[field]!.ToJsonString()})"));
    }
}
