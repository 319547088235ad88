using System.Globalization;

namespace EvoMerge.Tensors;

/// <summary>
/// The config.json fields beyond the sizes that change how a Phi-3, Mixtral or Gemma-family model computes, with their
/// values in effect (Phi-3/Mixtral: a field the file leaves out shows its config class's default, marked "(default)";
/// Gemma: <see cref="GemmaFamilyConfig.Describe"/>, or the config error the fields raise), for <c>inspect</c>.
/// </summary>
public static class FamilyConfigFields
{
    /// <summary>"field value" lines for the model's family; empty for families without such fields.</summary>
    public static IReadOnlyList<string> Of(ModelConfig config, string configPath)
    {
        if (GemmaFamilyConfig.Covers(config.ModelType)) return [GemmaFields(config, configPath)];
        var inv = CultureInfo.InvariantCulture;
        string Field(string key, string fallback) =>
            $"{key} {(config.Raw[key] is { } value ? value.ToJsonString() : fallback + " (default)")}";
        string RopeScaling() => config.RopeScaling is { } scaling
            ? $"rope_scaling {(scaling["rope_type"] ?? scaling["type"])?.ToJsonString() ?? "(no type)"}"
            : "rope_scaling null (default)";
        return config.ModelType switch
        {
            "phi3" =>
            [
                Field("partial_rotary_factor", "1.0"), RopeScaling(), Field("original_max_position_embeddings", "4096"),
                $"max_position_embeddings {config.MaxPositionEmbeddings.ToString(inv)}", $"rope_theta {config.RopeTheta.ToString(inv)}",
                Field("sliding_window", "null"),
            ],
            "mixtral" =>
            [
                Field("num_local_experts", "8"), Field("num_experts_per_tok", "2"), $"rope_theta {config.RopeTheta.ToString(inv)}",
                Field("sliding_window", "null"),
            ],
            _ => [],
        };
    }

    private static string GemmaFields(ModelConfig config, string configPath)
    {
        try
        {
            return GemmaFamilyConfig.Read(config, configPath)!.Describe();
        }
        catch (ModelConfigException e)
        {
            return $"(invalid: {e.Message})";
        }
    }
}
