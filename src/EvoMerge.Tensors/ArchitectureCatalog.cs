namespace EvoMerge.Tensors;

/// <summary>
/// The decoder families EvoMerge merges and inspects, as data read from each family's HuggingFace modeling and
/// configuration code: tensor names, shapes (dimension expressions, see <see cref="ArchitectureDimensions"/>),
/// optional tensors with their config flags, tied-embedding rules, experts and size fields. Llama, Mistral, Qwen2,
/// Qwen3, Gemma, Gemma 2, Gemma 3 text, Phi-3 and Mixtral are also run by EvoMerge's decoder (search and eval); the
/// others merge and inspect only.
/// </summary>
public static class ArchitectureCatalog
{
    /// <summary>Model types that are refused with an explanation rather than merged.</summary>
    public static readonly IReadOnlyDictionary<string, string> RefusedModelTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
    };

    /// <summary>Every known family.</summary>
    public static readonly IReadOnlyList<ArchitectureSpec> Families =
    [
        Llama("llama", "LlamaForCausalLM") with { Layer = [.. Attention(["q", "k", "v", "o"], norms: false), .. SwiGlu("mlp", "mlp_bias")] },
        Llama("mistral", "MistralForCausalLM"),
        Llama("qwen2", "Qwen2ForCausalLM") with { FlagDefaults = Flags(("attention_bias", true)) },
        Llama("qwen3", "Qwen3ForCausalLM") with { Layer = [.. Attention(["q", "k", "v", "o"], norms: true), .. SwiGlu("mlp")] },
        new ArchitectureSpec
        {
            Family = "mixtral", ModelTypes = ["mixtral"], Architectures = ["MixtralForCausalLM"], Evaluable = true,
            PreLayer = Embed, PostLayer = Head, TiedName = "lm_head.weight", ExpertCountKey = "num_local_experts",
            Layer =
            [
                .. Attention([], norms: false),
                T("block_sparse_moe.gate.weight", "experts", "hidden"),
                T("block_sparse_moe.experts.{e}.w1.weight", "intermediate", "hidden"),
                T("block_sparse_moe.experts.{e}.w2.weight", "hidden", "intermediate"),
                T("block_sparse_moe.experts.{e}.w3.weight", "intermediate", "hidden"),
            ],
        },
        new ArchitectureSpec
        {
            Family = "qwen2_moe", ModelTypes = ["qwen2_moe"], Architectures = ["Qwen2MoeForCausalLM"],
            PreLayer = Embed, PostLayer = Head, TiedName = "lm_head.weight", ExpertCountKey = "num_experts",
            FlagDefaults = Flags(("qkv_bias", true)), InferredWhenRefused = true,
            Layer =
            [
                .. Attention(["q", "k", "v"], norms: false, flag: "qkv_bias"),
                T("mlp.gate.weight", "experts", "hidden"),
                T("mlp.experts.{e}.gate_proj.weight", "moe_intermediate_size", "hidden"),
                T("mlp.experts.{e}.up_proj.weight", "moe_intermediate_size", "hidden"),
                T("mlp.experts.{e}.down_proj.weight", "hidden", "moe_intermediate_size"),
                T("mlp.shared_expert.gate_proj.weight", "shared_expert_intermediate_size", "hidden"),
                T("mlp.shared_expert.up_proj.weight", "shared_expert_intermediate_size", "hidden"),
                T("mlp.shared_expert.down_proj.weight", "hidden", "shared_expert_intermediate_size"),
                T("mlp.shared_expert_gate.weight", "1", "hidden"),
            ],
            Refusals =
            [
                new("decoder_sparse_step", "1", "other than 1 mixes dense and expert layers, which EvoMerge's layer data does not describe (a merge infers the layout from the tensor names)"),
                new("mlp_only_layers", "[]", "mixes dense and expert layers, which EvoMerge's layer data does not describe (a merge infers the layout from the tensor names)"),
            ],
        },
        Gemma("gemma", "GemmaForCausalLM", [.. Attention(["q", "k", "v", "o"], norms: false), .. SwiGlu("mlp")]),
        Gemma("gemma2", "Gemma2ForCausalLM", [.. Attention(["q", "k", "v", "o"], norms: false), .. GemmaFeedForward]),
        Gemma("gemma3_text", "Gemma3ForCausalLM", [.. Attention(["q", "k", "v", "o"], norms: true), .. GemmaFeedForward]),
        new ArchitectureSpec
        {
            Family = "phi3", ModelTypes = ["phi3"], Architectures = ["Phi3ForCausalLM"], Evaluable = true,
            PreLayer = Embed, PostLayer = Head, TiedName = "lm_head.weight",
            Layer =
            [
                T("input_layernorm.weight", "hidden"),
                T("self_attn.qkv_proj.weight", "q+2*kv", "hidden"),
                T("self_attn.o_proj.weight", "hidden", "q"),
                T("post_attention_layernorm.weight", "hidden"),
                T("mlp.gate_up_proj.weight", "2*intermediate", "hidden"),
                T("mlp.down_proj.weight", "hidden", "intermediate"),
            ],
        },
        new ArchitectureSpec
        {
            Family = "gpt2", ModelTypes = ["gpt2"], Architectures = ["GPT2LMHeadModel"], LayerPrefix = "transformer.h.{i}.", BareModelPrefix = "transformer.",
            Keys = new ArchitectureKeys("n_layer", "n_embd", "n_head", "n_inner", "n_positions", IntermediateFactor: 4),
            TiedByDefault = true, TiedName = "lm_head.weight",
            PreLayer = [T("transformer.wte.weight", "vocab", "hidden"), T("transformer.wpe.weight", "positions", "hidden")],
            Layer =
            [
                T("ln_1.weight", "hidden"), T("ln_1.bias", "hidden"),
                T("attn.c_attn.weight", "hidden", "3*hidden"), T("attn.c_attn.bias", "3*hidden"),
                T("attn.c_proj.weight", "hidden", "hidden"), T("attn.c_proj.bias", "hidden"),
                T("ln_2.weight", "hidden"), T("ln_2.bias", "hidden"),
                T("mlp.c_fc.weight", "hidden", "intermediate"), T("mlp.c_fc.bias", "intermediate"),
                T("mlp.c_proj.weight", "intermediate", "hidden"), T("mlp.c_proj.bias", "hidden"),
            ],
            PostLayer = [T("transformer.ln_f.weight", "hidden"), T("transformer.ln_f.bias", "hidden"), T("lm_head.weight", "vocab", "hidden")],
        },
        new ArchitectureSpec
        {
            Family = "gpt_neox", ModelTypes = ["gpt_neox"], Architectures = ["GPTNeoXForCausalLM"], LayerPrefix = "gpt_neox.layers.{i}.",
            TiedName = "embed_out.weight", FlagDefaults = Flags(("attention_bias", true)),
            PreLayer = [T("gpt_neox.embed_in.weight", "vocab", "hidden")],
            Layer =
            [
                T("input_layernorm.weight", "hidden"), T("input_layernorm.bias", "hidden"),
                T("post_attention_layernorm.weight", "hidden"), T("post_attention_layernorm.bias", "hidden"),
                T("attention.query_key_value.weight", "3*hidden", "hidden"), If("attention_bias", "attention.query_key_value.bias", "3*hidden"),
                T("attention.dense.weight", "hidden", "hidden"), If("attention_bias", "attention.dense.bias", "hidden"),
                T("mlp.dense_h_to_4h.weight", "intermediate", "hidden"), T("mlp.dense_h_to_4h.bias", "intermediate"),
                T("mlp.dense_4h_to_h.weight", "hidden", "intermediate"), T("mlp.dense_4h_to_h.bias", "hidden"),
            ],
            PostLayer = [T("gpt_neox.final_layer_norm.weight", "hidden"), T("gpt_neox.final_layer_norm.bias", "hidden"), T("embed_out.weight", "vocab", "hidden")],
        },
        new ArchitectureSpec
        {
            Family = "stablelm", ModelTypes = ["stablelm"], Architectures = ["StableLmForCausalLM"],
            TiedName = "lm_head.weight", FlagDefaults = Flags(("use_qkv_bias", false), ("use_parallel_residual", false), ("qk_layernorm", false)),
            PreLayer = Embed,
            Layer =
            [
                T("input_layernorm.weight", "hidden"), T("input_layernorm.bias", "hidden"),
                T("self_attn.q_proj.weight", "q", "hidden"), If("use_qkv_bias", "self_attn.q_proj.bias", "q"),
                T("self_attn.k_proj.weight", "kv", "hidden"), If("use_qkv_bias", "self_attn.k_proj.bias", "kv"),
                T("self_attn.v_proj.weight", "kv", "hidden"), If("use_qkv_bias", "self_attn.v_proj.bias", "kv"),
                If("qk_layernorm", "self_attn.q_layernorm.norms.{head}.weight", "head_dim"),
                If("qk_layernorm", "self_attn.k_layernorm.norms.{kv_head}.weight", "head_dim"),
                T("self_attn.o_proj.weight", "hidden", "q"),
                If("!use_parallel_residual", "post_attention_layernorm.weight", "hidden"), If("!use_parallel_residual", "post_attention_layernorm.bias", "hidden"),
                .. SwiGlu("mlp"),
            ],
            PostLayer = [T("model.norm.weight", "hidden"), T("model.norm.bias", "hidden"), T("lm_head.weight", "vocab", "hidden")],
        },
        new ArchitectureSpec
        {
            Family = "granite", ModelTypes = ["granite"], Architectures = ["GraniteForCausalLM"],
            PreLayer = Embed, PostLayer = Head, TiedName = "lm_head.weight",
            Layer = [.. Attention(["q", "k", "v", "o"], norms: false), .. SwiGlu("mlp", "mlp_bias")],
        },
    ];

    /// <summary>The family of a model_type, or null when unknown.</summary>
    public static ArchitectureSpec? Find(string modelType) => Families.FirstOrDefault(f => f.ModelTypes.Contains(modelType));

    /// <summary>Every known model_type, in catalog order.</summary>
    public static IReadOnlyList<string> ModelTypes => Families.SelectMany(f => f.ModelTypes).ToArray();

    private static ArchitectureTensor[] Embed => [T("model.embed_tokens.weight", "vocab", "hidden")];

    private static ArchitectureTensor[] Head => [T("model.norm.weight", "hidden"), T("lm_head.weight", "vocab", "hidden")];

    private static ArchitectureTensor[] GemmaFeedForward =>
        [T("pre_feedforward_layernorm.weight", "hidden"), T("post_feedforward_layernorm.weight", "hidden"), .. SwiGlu("mlp")];

    /// <summary>
    /// The Llama-style families EvoMerge's decoder runs; q/k/v biases follow <c>attention_bias</c> as the decoder reads
    /// them. llama and qwen3 add <c>o_proj.bias</c> under the same flag and llama MLP biases under <c>mlp_bias</c>, as
    /// their HF modeling code does (qwen2 and mistral never have them); the decoder refuses those variants, merging
    /// describes them.
    /// </summary>
    private static ArchitectureSpec Llama(string type, string architecture) => new()
    {
        Family = type, ModelTypes = [type], Architectures = [architecture], Evaluable = true,
        PreLayer = Embed, PostLayer = Head, TiedName = "lm_head.weight",
        Layer = [.. Attention(["q", "k", "v"], norms: false), .. SwiGlu("mlp")],
    };

    private static ArchitectureSpec Gemma(string type, string architecture, ArchitectureTensor[] layer) => new()
    {
        Family = type, ModelTypes = [type], Architectures = [architecture], TiedByDefault = true, Evaluable = true,
        PreLayer = Embed, PostLayer = Head, TiedName = "lm_head.weight", Layer = layer,
    };

    /// <summary>
    /// input_layernorm, q/k/v projections (with biases for the listed ones when <paramref name="flag"/> is set), q/k
    /// norms, o projection, post_attention_layernorm.
    /// </summary>
    private static IEnumerable<ArchitectureTensor> Attention(string[] biased, bool norms, string flag = "attention_bias")
    {
        var dims = new Dictionary<string, string> { ["q"] = "q", ["k"] = "kv", ["v"] = "kv" };
        yield return T("input_layernorm.weight", "hidden");
        foreach (string p in new[] { "q", "k", "v" })
        {
            yield return T($"self_attn.{p}_proj.weight", dims[p], "hidden");
            if (biased.Contains(p)) yield return If(flag, $"self_attn.{p}_proj.bias", dims[p]);
        }
        if (norms)
        {
            yield return T("self_attn.q_norm.weight", "head_dim");
            yield return T("self_attn.k_norm.weight", "head_dim");
        }
        yield return T("self_attn.o_proj.weight", "hidden", "q");
        if (biased.Contains("o")) yield return If(flag, "self_attn.o_proj.bias", "hidden");
        yield return T("post_attention_layernorm.weight", "hidden");
    }

    /// <summary>gate/up/down projections of a SwiGLU MLP, with biases when <paramref name="biasFlag"/> is set.</summary>
    private static IEnumerable<ArchitectureTensor> SwiGlu(string prefix, string? biasFlag = null)
    {
        foreach (var (p, dims) in new[] { ("gate", new[] { "intermediate", "hidden" }), ("up", ["intermediate", "hidden"]), ("down", ["hidden", "intermediate"]) })
        {
            yield return new ArchitectureTensor($"{prefix}.{p}_proj.weight", dims);
            if (biasFlag is not null) yield return If(biasFlag, $"{prefix}.{p}_proj.bias", dims[0]);
        }
    }

    private static ArchitectureTensor T(string name, params string[] shape) => new(name, shape);

    private static ArchitectureTensor If(string flag, string name, params string[] shape) => new(name, shape, flag);

    private static Dictionary<string, bool> Flags(params (string Name, bool Default)[] flags) => flags.ToDictionary(f => f.Name, f => f.Default);
}
