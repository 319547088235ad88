namespace EvoMerge.Tensors;

/// <summary>
/// The values HuggingFace's config classes give fields that a config.json leaves out, where a family's class differs
/// from EvoMerge's general defaults (rms_norm_eps 1e-6, rope_theta 10000, max_position_embeddings 2048):
/// <c>Phi3Config</c> (1e-5, 10000, 4096), <c>MixtralConfig</c> (1e-5, 1e6, 4096·32) and <c>Gemma3TextConfig</c> (rope_theta 1e6); the Gemma families' head_dim 256.
/// </summary>
public static class ConfigClassDefaults
{
    /// <summary>The default <c>rms_norm_eps</c> of a model_type's config class.</summary>
    public static double RmsNormEps(string modelType) => modelType is "phi3" or "mixtral" ? 1e-5 : 1e-6;

    /// <summary>The default <c>rope_theta</c> of a model_type's config class.</summary>
    public static double RopeTheta(string modelType) => modelType is "mixtral" or "gemma3_text" ? 1e6 : 10000.0;

    /// <summary>The default <c>head_dim</c>: 256 for the Gemma families' config classes, else hidden / heads.</summary>
    public static int HeadDim(string modelType, int hidden, int heads) => GemmaFamilyConfig.Covers(modelType) ? 256 : hidden / heads;

    /// <summary>The default <c>max_position_embeddings</c> of a model_type's config class.</summary>
    public static int MaxPositionEmbeddings(string modelType) => modelType switch
    {
        "phi3" => 4096,
        "mixtral" => 4096 * 32,
        _ => 2048,
    };
}
