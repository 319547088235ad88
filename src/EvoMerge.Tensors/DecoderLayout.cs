using System.Globalization;

namespace EvoMerge.Tensors;

/// <summary>
/// Tensor naming of the Llama family (llama, mistral, qwen2, qwen3): <c>model.embed_tokens.weight</c>,
/// <c>model.layers.{i}.…</c>, <c>model.norm.weight</c>, <c>lm_head.weight</c>. Architectures are data here, as in
/// mergekit: the expected names per layer come from the config.
/// </summary>
public sealed class DecoderLayout
{
    private const string LayerPrefix = "model.layers.";

    private DecoderLayout(ModelConfig config, IReadOnlyList<string> layerTemplate)
    {
        Config = config;
        LayerTemplate = layerTemplate;
    }

    /// <summary>The config this layout describes.</summary>
    public ModelConfig Config { get; }

    /// <summary>Names of one layer's tensors with the index as "{i}" (e.g. "model.layers.{i}.mlp.up_proj.weight").</summary>
    public IReadOnlyList<string> LayerTemplate { get; }

    /// <summary>Tensors before the layers.</summary>
    public IReadOnlyList<string> EmbeddingNames => ["model.embed_tokens.weight"];

    /// <summary>Tensors after the layers (lm_head only when embeddings are not tied).</summary>
    public IReadOnlyList<string> HeadNames => Config.TieWordEmbeddings ? ["model.norm.weight"] : ["model.norm.weight", "lm_head.weight"];

    /// <summary>The layout of a supported model type; an unsupported type is an error naming the config field.</summary>
    public static DecoderLayout For(ModelConfig config, string configPath)
    {
        if (!config.IsSupported)
            throw new ModelConfigException(configPath, "model_type",
                $"'{config.ModelType}' is not supported (supported: {string.Join(", ", ModelConfig.SupportedModelTypes)})");
        var names = new List<string>
        {
            "model.layers.{i}.input_layernorm.weight",
            "model.layers.{i}.self_attn.q_proj.weight",
            "model.layers.{i}.self_attn.k_proj.weight",
            "model.layers.{i}.self_attn.v_proj.weight",
            "model.layers.{i}.self_attn.o_proj.weight",
            "model.layers.{i}.post_attention_layernorm.weight",
            "model.layers.{i}.mlp.gate_proj.weight",
            "model.layers.{i}.mlp.up_proj.weight",
            "model.layers.{i}.mlp.down_proj.weight",
        };
        if (config.AttentionBias)
        {
            names.Insert(2, "model.layers.{i}.self_attn.q_proj.bias");
            names.Insert(4, "model.layers.{i}.self_attn.k_proj.bias");
            names.Insert(6, "model.layers.{i}.self_attn.v_proj.bias");
        }
        if (config.ModelType == "qwen3")
        {
            int at = names.IndexOf("model.layers.{i}.self_attn.o_proj.weight");
            names.Insert(at, "model.layers.{i}.self_attn.k_norm.weight");
            names.Insert(at, "model.layers.{i}.self_attn.q_norm.weight");
        }
        return new DecoderLayout(config, names);
    }

    /// <summary>Every tensor name the model should have, in canonical order (embeddings, layers, head).</summary>
    public IEnumerable<string> ExpectedNames()
    {
        foreach (string n in EmbeddingNames) yield return n;
        for (int i = 0; i < Config.NumHiddenLayers; i++)
        {
            foreach (string t in LayerTemplate) yield return LayerName(t, i);
        }
        foreach (string n in HeadNames) yield return n;
    }

    /// <summary>Expected shape of a tensor, or null when the layout does not fix it.</summary>
    public long[]? ExpectedShape(string name)
    {
        var c = Config;
        long q = (long)c.NumAttentionHeads * c.HeadDim, kv = (long)c.NumKeyValueHeads * c.HeadDim;
        string local = Classify(name).LocalName;
        return local switch
        {
            "model.embed_tokens.weight" or "lm_head.weight" => [c.VocabSize, c.HiddenSize],
            "model.norm.weight" or "input_layernorm.weight" or "post_attention_layernorm.weight" => [c.HiddenSize],
            "self_attn.q_proj.weight" => [q, c.HiddenSize],
            "self_attn.k_proj.weight" or "self_attn.v_proj.weight" => [kv, c.HiddenSize],
            "self_attn.q_proj.bias" => [q],
            "self_attn.k_proj.bias" or "self_attn.v_proj.bias" => [kv],
            "self_attn.o_proj.weight" => [c.HiddenSize, q],
            "self_attn.q_norm.weight" or "self_attn.k_norm.weight" => [c.HeadDim],
            "mlp.gate_proj.weight" or "mlp.up_proj.weight" => [c.IntermediateSize, c.HiddenSize],
            "mlp.down_proj.weight" => [c.HiddenSize, c.IntermediateSize],
            _ => null,
        };
    }

    /// <summary>Substitutes a layer index into a template name.</summary>
    public static string LayerName(string template, int layer) =>
        template.Replace("{i}", layer.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>Classifies a tensor name; layer tensors get their index and their name inside the layer.</summary>
    public static TensorRole Classify(string name)
    {
        if (name.StartsWith(LayerPrefix, StringComparison.Ordinal))
        {
            int dot = name.IndexOf('.', LayerPrefix.Length);
            if (dot > LayerPrefix.Length && int.TryParse(name.AsSpan(LayerPrefix.Length, dot - LayerPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int layer))
                return new TensorRole(TensorGroup.Layer, layer, name[(dot + 1)..]);
        }
        if (name.StartsWith("model.embed_tokens", StringComparison.Ordinal)) return new TensorRole(TensorGroup.Embedding, -1, name);
        return new TensorRole(TensorGroup.Head, -1, name);
    }
}
