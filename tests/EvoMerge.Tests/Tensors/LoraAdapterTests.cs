using System.Text.Json.Nodes;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;
using Matrix = EvoMerge.Tests.Tensors.PeftAdapterFiles.Matrix;

namespace EvoMerge.Tests.Tensors;

/// <summary>
/// A PEFT adapter read over its base (<see cref="ModelWeights.Open(string, string?)"/>): every tensor equals the dense
/// fine-tune computed by the test from the files alone (<see cref="PeftAdapterFiles"/>), and bad adapters are one-line
/// errors naming the file and the field or tensor.
/// </summary>
public class LoraAdapterTests
{
    private const string Prefix = "base_model.model.";

    /// <summary>A tiny llama (2 layers, hidden 32, 2 KV heads of 8: q_proj [32, 32], v_proj [16, 32], vocab 64), float32, untied.</summary>
    private static string WriteBase(TempDirectory dir)
    {
        string path = dir.Combine("base");
        TinyDecoderWriter.WriteRandom(path, new TinyDecoderSpec { Layers = 2 }, seed: 7);
        return path;
    }

    /// <summary>lora_A/lora_B for q_proj and v_proj of both layers, with the rank each module gets.</summary>
    private static List<(string Name, Matrix Tensor)> ProjectionFactors(Random random, Func<string, int> rank)
    {
        var tensors = new List<(string, Matrix)>();
        foreach (int layer in new[] { 0, 1 })
        {
            foreach (var (projection, outputs) in new[] { ("q_proj", 32L), ("v_proj", 16L) })
            {
                string module = $"model.layers.{layer}.self_attn.{projection}";
                int r = rank(module);
                tensors.Add(($"{Prefix}{module}.lora_A.weight", PeftAdapterFiles.Random(random, r, 32)));
                tensors.Add(($"{Prefix}{module}.lora_B.weight", PeftAdapterFiles.Random(random, outputs, r)));
            }
        }
        return tensors;
    }

    private static Matrix Loaded(ModelWeights weights, string name)
    {
        using var tensor = weights.Load(name);
        return new Matrix(tensor.shape, tensor.data<float>().ToArray());
    }

    /// <summary>Checks every tensor of the adapted weights against the expected ones (the base's where not given).</summary>
    private static void AssertAdapted(string basePath, string adapter, Dictionary<string, Matrix> expected)
    {
        var dense = PeftAdapterFiles.ReadModel(basePath);
        foreach (var (name, tensor) in expected) dense[name] = tensor;
        using var weights = ModelWeights.Open(basePath, adapter);
        foreach (var (name, tensor) in dense)
        {
            double difference = PeftAdapterFiles.MaxDifference(tensor, Loaded(weights, name));
            Assert.True(difference <= 1e-6, $"{name}: max |difference| {difference}");
        }
    }

    private static Matrix Factor(List<(string Name, Matrix Tensor)> tensors, string name) => tensors.Single(t => t.Name == name).Tensor;

    private static Matrix ExpectedProjection(Dictionary<string, Matrix> baseTensors, List<(string Name, Matrix Tensor)> factors, string module, double scale) =>
        PeftAdapterFiles.Dense(baseTensors[module + ".weight"], Factor(factors, $"{Prefix}{module}.lora_A.weight"), Factor(factors, $"{Prefix}{module}.lora_B.weight"), scale);

    [Fact]
    public void Rank_4_alpha_8_with_an_embedding_lora_and_a_saved_lm_head_equals_the_dense_fine_tune()
    {
        using var dir = new TempDirectory();
        string basePath = WriteBase(dir);
        var random = new Random(11);
        var tensors = ProjectionFactors(random, _ => 4);
        var embeddingA = PeftAdapterFiles.Random(random, 4, 64);
        var embeddingB = PeftAdapterFiles.Random(random, 32, 4);
        var head = PeftAdapterFiles.Random(random, 64, 32);
        tensors.Add(($"{Prefix}model.embed_tokens.lora_embedding_A", embeddingA));
        tensors.Add(($"{Prefix}model.embed_tokens.lora_embedding_B", embeddingB));
        tensors.Add(($"{Prefix}lm_head.weight", head));
        string adapter = dir.Combine("adapter");
        PeftAdapterFiles.WriteAdapter(adapter, PeftAdapterFiles.Config(4, 8,
            ("target_modules", new JsonArray("q_proj", "v_proj", "embed_tokens")), ("modules_to_save", new JsonArray("lm_head"))), tensors);

        // scale = lora_alpha / r = 8 / 4 = 2; the embedding's update is (B·A)ᵀ; lm_head is replaced whole.
        var baseTensors = PeftAdapterFiles.ReadModel(basePath);
        var expected = new Dictionary<string, Matrix>
        {
            ["model.embed_tokens.weight"] = PeftAdapterFiles.Dense(baseTensors["model.embed_tokens.weight"], embeddingA, embeddingB, 2.0, transposed: true),
            ["lm_head.weight"] = head,
        };
        foreach (string module in new[] { "model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj", "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj" })
            expected[module + ".weight"] = ExpectedProjection(baseTensors, tensors, module, 2.0);
        AssertAdapted(basePath, adapter, expected);
    }

    [Fact]
    public void RsLora_scales_by_alpha_over_the_square_root_of_r()
    {
        using var dir = new TempDirectory();
        string basePath = WriteBase(dir);
        var tensors = ProjectionFactors(new Random(12), _ => 4);
        string adapter = dir.Combine("adapter");
        PeftAdapterFiles.WriteAdapter(adapter, PeftAdapterFiles.Config(4, 8, ("use_rslora", true)), tensors);

        // scale = 8 / √4 = 4 (plain LoRA would be 8 / 4 = 2).
        var baseTensors = PeftAdapterFiles.ReadModel(basePath);
        var expected = new Dictionary<string, Matrix>();
        foreach (string module in new[] { "model.layers.0.self_attn.q_proj", "model.layers.0.self_attn.v_proj", "model.layers.1.self_attn.q_proj", "model.layers.1.self_attn.v_proj" })
            expected[module + ".weight"] = ExpectedProjection(baseTensors, tensors, module, 4.0);
        AssertAdapted(basePath, adapter, expected);
    }

    [Fact]
    public void Rank_and_alpha_patterns_set_a_modules_rank_and_alpha_by_name_suffix()
    {
        using var dir = new TempDirectory();
        string basePath = WriteBase(dir);
        var tensors = ProjectionFactors(new Random(13), module => module == "model.layers.1.self_attn.q_proj" ? 2 : 4);
        string adapter = dir.Combine("adapter");
        PeftAdapterFiles.WriteAdapter(adapter, PeftAdapterFiles.Config(4, 8,
            ("rank_pattern", new JsonObject { ["layers.1.self_attn.q_proj"] = 2 }), ("alpha_pattern", new JsonObject { ["v_proj"] = 16 })), tensors);

        // layer 1 q_proj: r 2, α 8 → 4; v_proj (both layers): r 4, α 16 → 4; layer 0 q_proj: r 4, α 8 → 2.
        var baseTensors = PeftAdapterFiles.ReadModel(basePath);
        var expected = new Dictionary<string, Matrix>
        {
            ["model.layers.0.self_attn.q_proj.weight"] = ExpectedProjection(baseTensors, tensors, "model.layers.0.self_attn.q_proj", 2.0),
            ["model.layers.1.self_attn.q_proj.weight"] = ExpectedProjection(baseTensors, tensors, "model.layers.1.self_attn.q_proj", 4.0),
            ["model.layers.0.self_attn.v_proj.weight"] = ExpectedProjection(baseTensors, tensors, "model.layers.0.self_attn.v_proj", 4.0),
            ["model.layers.1.self_attn.v_proj.weight"] = ExpectedProjection(baseTensors, tensors, "model.layers.1.self_attn.v_proj", 4.0),
        };
        AssertAdapted(basePath, adapter, expected);
    }

    [Fact]
    public void Fan_in_fan_out_adds_the_transposed_product()
    {
        using var dir = new TempDirectory();
        string basePath = WriteBase(dir);
        var random = new Random(14);
        // q_proj is square ([32, 32]), so a fan_in_fan_out adapter fits it: A [r, 32], B [32, r], update (B·A)ᵀ.
        var a = PeftAdapterFiles.Random(random, 4, 32);
        var b = PeftAdapterFiles.Random(random, 32, 4);
        string adapter = dir.Combine("adapter");
        PeftAdapterFiles.WriteAdapter(adapter, PeftAdapterFiles.Config(4, 4, ("fan_in_fan_out", true)),
            [($"{Prefix}model.layers.0.self_attn.q_proj.lora_A.weight", a), ($"{Prefix}model.layers.0.self_attn.q_proj.lora_B.weight", b)]);

        var baseTensors = PeftAdapterFiles.ReadModel(basePath);
        AssertAdapted(basePath, adapter, new Dictionary<string, Matrix>
        {
            ["model.layers.0.self_attn.q_proj.weight"] = PeftAdapterFiles.Dense(baseTensors["model.layers.0.self_attn.q_proj.weight"], a, b, 1.0, transposed: true),
        });
    }

    public static TheoryData<string, string, string> BadConfigs => new()
    {
        { "use_dora", "true", "adapter_config.json: field 'use_dora' is true; DoRA adapters are not supported" },
        { "bias", "\"lora_only\"", "adapter_config.json: field 'bias' is 'lora_only'; only adapters trained with bias \"none\" are supported" },
        { "peft_type", "\"IA3\"", "adapter_config.json: field 'peft_type' is 'IA3'; only LoRA adapters (LORA) can be merged" },
        { "r", "0", "adapter_config.json: field 'r' must be a positive integer, got 0" },
        { "rank_pattern", "{\"q_proj\": 2.5}", "adapter_config.json: field 'rank_pattern.q_proj' must be a positive integer" },
        { "layer_replication", "[[0, 2]]", "adapter_config.json: field 'layer_replication' is set; this PEFT feature is not supported" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public void A_bad_adapter_config_is_one_line_naming_the_file_and_the_field(string field, string value, string message)
    {
        using var dir = new TempDirectory();
        string basePath = WriteBase(dir);
        string adapter = dir.Combine("adapter");
        PeftAdapterFiles.WriteAdapter(adapter, PeftAdapterFiles.Config(4, 8, (field, JsonNode.Parse(value))), ProjectionFactors(new Random(1), _ => 4));

        var error = Assert.Throws<ModelConfigException>(() => ModelWeights.Open(basePath, adapter));

        Assert.StartsWith(Path.Combine(adapter, message), error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    public static TheoryData<string, string> BadTensors => new()
    {
        // A of layer 0 q_proj with 31 inputs instead of 32.
        { "wrong-a", $"tensor '{Prefix}model.layers.0.self_attn.q_proj.lora_A.weight': shape [4, 31] does not fit base tensor 'model.layers.0.self_attn.q_proj.weight' [32, 32] (expected [4, 32])" },
        { "wrong-b", $"tensor '{Prefix}model.layers.0.self_attn.q_proj.lora_B.weight': shape [31, 4] does not fit base tensor 'model.layers.0.self_attn.q_proj.weight' [32, 32] (expected [32, 4])" },
        { "rank", $"tensor '{Prefix}model.layers.0.self_attn.q_proj.lora_A.weight': has rank 2 (shape [2, 32]) but" },
        { "unmatched", $"tensor '{Prefix}model.layers.0.self_attn.x_proj.lora_A.weight': matches no tensor of the base model" },
        { "missing-b", $"tensor '{Prefix}model.layers.0.self_attn.q_proj.lora_A.weight': has no matching B tensor for module 'model.layers.0.self_attn.q_proj'" },
        { "no-prefix", "tensor 'model.layers.0.self_attn.q_proj.lora_A.weight': does not start with 'base_model.model.' (not a PEFT LoRA adapter tensor)" },
        { "saved-shape", $"tensor '{Prefix}lm_head.weight': shape [64, 31] differs from the base tensor 'lm_head.weight' [64, 32]" },
        { "dora-tensor", $"tensor '{Prefix}model.layers.0.self_attn.q_proj.lora_magnitude_vector': is a LoRA tensor of a kind EvoMerge does not merge" },
    };

    [Theory]
    [MemberData(nameof(BadTensors))]
    public void A_bad_adapter_tensor_is_one_line_naming_the_file_and_the_tensor(string kind, string message)
    {
        using var dir = new TempDirectory();
        string basePath = WriteBase(dir);
        var random = new Random(2);
        string q = $"{Prefix}model.layers.0.self_attn.q_proj";
        List<(string, Matrix)> tensors = kind switch
        {
            "wrong-a" => [($"{q}.lora_A.weight", PeftAdapterFiles.Random(random, 4, 31)), ($"{q}.lora_B.weight", PeftAdapterFiles.Random(random, 32, 4))],
            "wrong-b" => [($"{q}.lora_A.weight", PeftAdapterFiles.Random(random, 4, 32)), ($"{q}.lora_B.weight", PeftAdapterFiles.Random(random, 31, 4))],
            "rank" => [($"{q}.lora_A.weight", PeftAdapterFiles.Random(random, 2, 32)), ($"{q}.lora_B.weight", PeftAdapterFiles.Random(random, 32, 2))],
            "unmatched" => [($"{Prefix}model.layers.0.self_attn.x_proj.lora_A.weight", PeftAdapterFiles.Random(random, 4, 32)),
                ($"{Prefix}model.layers.0.self_attn.x_proj.lora_B.weight", PeftAdapterFiles.Random(random, 32, 4))],
            "missing-b" => [($"{q}.lora_A.weight", PeftAdapterFiles.Random(random, 4, 32))],
            "no-prefix" => [("model.layers.0.self_attn.q_proj.lora_A.weight", PeftAdapterFiles.Random(random, 4, 32))],
            "saved-shape" => [($"{Prefix}lm_head.weight", PeftAdapterFiles.Random(random, 64, 31))],
            "dora-tensor" => [($"{q}.lora_magnitude_vector", PeftAdapterFiles.Random(random, 32))],
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        string adapter = dir.Combine("adapter");
        PeftAdapterFiles.WriteAdapter(adapter, PeftAdapterFiles.Config(4, 8), tensors);

        var error = Assert.Throws<SafetensorsFormatException>(() => ModelWeights.Open(basePath, adapter));

        Assert.StartsWith($"{Path.Combine(adapter, "adapter_model.safetensors")}: {message}", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void A_missing_adapter_config_names_the_file()
    {
        using var dir = new TempDirectory();
        string basePath = WriteBase(dir);
        Directory.CreateDirectory(dir.Combine("adapter"));

        var error = Assert.Throws<FileNotFoundException>(() => ModelWeights.Open(basePath, dir.Combine("adapter")));

        Assert.StartsWith($"{dir.Combine("adapter", "adapter_config.json")}: adapter_config.json not found", error.Message);
    }

    [Fact]
    public void Loading_in_another_dtype_rounds_the_float32_sum_once()
    {
        using var dir = new TempDirectory();
        string basePath = WriteBase(dir);
        var tensors = ProjectionFactors(new Random(15), _ => 4);
        string adapter = dir.Combine("adapter");
        PeftAdapterFiles.WriteAdapter(adapter, PeftAdapterFiles.Config(4, 8), tensors);
        var expected = ExpectedProjection(PeftAdapterFiles.ReadModel(basePath), tensors, "model.layers.0.self_attn.q_proj", 2.0);

        using var weights = ModelWeights.Open(basePath, adapter);
        using var half = weights.Load("model.layers.0.self_attn.q_proj.weight", torch.ScalarType.BFloat16);
        using var exact = torch.tensor(expected.Values).view(expected.Shape);
        using var rounded = exact.to(torch.ScalarType.BFloat16);

        Assert.True(half.eq(rounded).all().item<bool>());
    }
}
