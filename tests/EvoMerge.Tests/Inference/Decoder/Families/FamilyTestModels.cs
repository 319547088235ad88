using System.Text.Json.Nodes;
using EvoMerge.Tensors;

namespace EvoMerge.Tests.Inference.Decoder.Families;

/// <summary>
/// Tiny Phi-3 and Mixtral models for the decoder tests, written by <see cref="TinyArchitectureWriter"/> with every
/// matrix but the embedding scaled by 8 (as <see cref="TinyModelDirectory"/> does) so attention and routing are far
/// from uniform: every feature switched on, one case per feature.
/// </summary>
internal static class FamilyTestModels
{
    public static readonly IReadOnlyList<string> Names = ["phi3-partial", "phi3-longrope", "phi3-sliding", "mixtral", "mixtral-sliding"];

    /// <summary>
    /// Longrope with original_max_position_embeddings 8 (max 32, so the attention factor is √(1 + ln 4 / ln 8)): rows of
    /// more than 8 tokens use the long factors. head_dim 8 with partial_rotary_factor 0.5 rotates 4 dimensions.
    /// </summary>
    public static TinyArchitectureSpec Spec(string name) => name switch
    {
        "phi3-partial" => Phi3(new JsonObject { ["partial_rotary_factor"] = 0.5, ["rope_theta"] = 500.0 }),
        "phi3-longrope" => Phi3(new JsonObject
        {
            ["partial_rotary_factor"] = 0.5, ["max_position_embeddings"] = 32, ["original_max_position_embeddings"] = 8,
            ["rope_scaling"] = new JsonObject
            {
                ["type"] = "longrope", ["short_factor"] = new JsonArray(1.0, 1.5), ["long_factor"] = new JsonArray(3.0, 7.5),
            },
        }),
        "phi3-sliding" => Phi3(new JsonObject { ["sliding_window"] = 4 }),
        "mixtral" => new TinyArchitectureSpec { ModelType = "mixtral", Layers = 3, Heads = 4, KeyValueHeads = 2, Experts = 4, IntermediateSize = 24 },
        "mixtral-sliding" => new TinyArchitectureSpec
        {
            ModelType = "mixtral", Layers = 2, Heads = 4, KeyValueHeads = 1, Experts = 3, IntermediateSize = 16,
            Extra = new JsonObject { ["sliding_window"] = 4, ["num_experts_per_tok"] = 1 },
        },
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>Writes the named model into a temporary directory.</summary>
    public static FamilyModelDirectory Create(string name) => new(Spec(name));

    private static TinyArchitectureSpec Phi3(JsonObject extra) =>
        new() { ModelType = "phi3", Layers = 3, Heads = 4, KeyValueHeads = 2, IntermediateSize = 24, Extra = extra };
}
