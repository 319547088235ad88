using System.Globalization;
using System.Text.Json.Nodes;
using EvoMerge.Tensors;

namespace EvoMerge.Inference;

/// <summary>
/// How many dimensions of each head rotary embeddings rotate: Phi-3's <c>partial_rotary_factor</c> (default 1) gives
/// int(head_dim · factor), as HF computes it; the other decoder families rotate the whole head.
/// </summary>
internal static class PartialRotary
{
    /// <summary>The rotated width; problems name config.json and <c>partial_rotary_factor</c>.</summary>
    public static int Dimension(ModelConfig config, string configPath)
    {
        if (config.ModelType != "phi3" || config.Raw["partial_rotary_factor"] is null) return config.HeadDim;
        if (config.Raw["partial_rotary_factor"] is not JsonValue value || !value.TryGetValue(out double factor) || !(factor > 0 && factor <= 1))
            throw new ModelConfigException(configPath, "partial_rotary_factor",
                $"must be a number in (0, 1] (got {config.Raw["partial_rotary_factor"]!.ToJsonString()})");
        int dimension = (int)(config.HeadDim * factor);
        if (dimension < 2 || dimension % 2 != 0)
            throw new ModelConfigException(configPath, "partial_rotary_factor",
                string.Create(CultureInfo.InvariantCulture, $"{factor} of head_dim {config.HeadDim} rotates {dimension} dimensions; that must be even and at least 2"));
        return dimension;
    }
}
