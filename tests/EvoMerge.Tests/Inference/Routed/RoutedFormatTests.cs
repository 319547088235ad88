using System.Text.Json.Nodes;
using EvoMerge.Inference.Routed;
using EvoMerge.Merging.Routed;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Routed;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Inference.Routed;

/// <summary>The routed-experts format: refusals by loaders that do not know it, config and tensor checks, the router's and the factors' arithmetic on hand-worked cases.</summary>
public sealed class RoutedFormatTests
{
    private static readonly RoutedExpertsConfig Block = new()
    {
        Experts = 2, Rank = 2, RouterLayer = 0, Temperature = 1.0, Granularity = RoutingGranularity.Sequence, TopK = 1,
    };

    [Fact]
    public void Loaders_that_do_not_know_routed_models_refuse_them_naming_config_json_and_the_field()
    {
        using var models = new RoutedTestModels();
        using var prototypes = RoutedTestModels.PickingPrototypes(2, 0);
        string routed = models.WriteRouted("routed", models.Factors(2, 0), prototypes, Block);

        var error = Assert.Throws<ModelConfigException>(() => ModelDirectory.Open(routed));
        Assert.Contains(Path.Combine(routed, "config.json"), error.Message);
        Assert.Contains("'evomerge_routed'", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        using var aware = ModelDirectory.OpenRoutedAware(routed);
        Assert.Equal(2, RoutedExpertsConfig.Read(aware.Config, aware.ConfigPath)!.Experts);
    }

    [Theory]
    [InlineData("format_version", "2", "evomerge_routed.format_version")]
    [InlineData("experts", "0", "evomerge_routed.experts")]
    [InlineData("router.top_k", "3", "evomerge_routed.router.top_k")]
    [InlineData("router.layer", "2", "evomerge_routed.router.layer")]
    [InlineData("router.temperature", "0", "evomerge_routed.router.temperature")]
    [InlineData("router.granularity", "\"word\"", "evomerge_routed.router.granularity")]
    [InlineData("router.kind", "\"learned\"", "evomerge_routed.router.kind")]
    public void Bad_config_fields_name_the_file_and_the_field(string field, string json, string expectedField)
    {
        using var models = new RoutedTestModels();
        using var prototypes = RoutedTestModels.PickingPrototypes(2, 0);
        string routed = models.WriteRouted("routed", models.Factors(2, 0), prototypes, Block);
        string configPath = Path.Combine(routed, "config.json");
        var root = JsonNode.Parse(File.ReadAllText(configPath))!.AsObject();
        var target = root["evomerge_routed"]!.AsObject();
        string leaf = field;
        if (field.StartsWith("router.", StringComparison.Ordinal))
        {
            target = target["router"]!.AsObject();
            leaf = field["router.".Length..];
        }
        target[leaf] = JsonNode.Parse(json);
        File.WriteAllText(configPath, root.ToJsonString());

        var error = Assert.Throws<ModelConfigException>(() => RoutedDecoderTests.LoadRouted(routed));
        Assert.Contains(configPath, error.Message);
        Assert.Contains($"'{expectedField}'", error.Message);
    }

    [Fact]
    public void A_factor_that_does_not_fit_its_weight_or_belongs_to_no_expert_names_the_file_and_the_tensor()
    {
        using var models = new RoutedTestModels();
        using var prototypes = RoutedTestModels.PickingPrototypes(2, 0);
        var factors = models.Factors(2, 0);
        var q = factors.First(f => f.WeightName == "model.layers.0.self_attn.q_proj.weight" && f.Expert == 0);
        var wrongB = factors.Select(f => f == q ? f with { B = torch.zeros(32, 3) } : f).ToList();
        string routed = models.WriteRouted("wrong-b", wrongB, prototypes, Block);
        var error = Assert.Throws<SafetensorsFormatException>(() => RoutedDecoderTests.LoadRouted(routed));
        Assert.Contains("model.layers.0.self_attn.q_proj.weight.routed_experts.0.lora_B", error.Message);
        Assert.Contains("model.safetensors", error.Message);

        var stray = factors.Append(q with { Expert = 2 }).ToList();
        string extra = models.WriteRouted("stray", stray, prototypes, Block);
        var strayError = Assert.Throws<SafetensorsFormatException>(() => RoutedDecoderTests.LoadRouted(extra));
        Assert.Contains("routed_experts.2.lora_A", strayError.Message);
    }

    [Fact]
    public void The_router_softmaxes_negative_distances_over_the_temperature_and_keeps_the_top_k()
    {
        using var scope = torch.NewDisposeScope();
        var prototypes = torch.tensor(new float[] { 0, 0, 3, 4 }, [2, 2]);
        // h = (0, 0): distances 0 and 5; T = 5: logits 0 and −1; softmax = (1, e⁻¹) / (1 + e⁻¹).
        using var mixing = new PrototypeRouter(prototypes, 5.0, 2, RoutingGranularity.Token);
        float[] weights = mixing.Of(torch.zeros(1, 2)).data<float>().ToArray();
        double first = 1 / (1 + Math.Exp(-1));
        Assert.Equal(first, weights[0], 5);
        Assert.Equal(1 - first, weights[1], 5);
        using var hard = new PrototypeRouter(prototypes, 5.0, 1, RoutingGranularity.Sequence);
        Assert.Equal([1f, 0f], hard.Of(torch.zeros(1, 2)).data<float>().ToArray());
        // Sequence routing: the marked tokens (0, 0) and (6, 8) average to (3, 4), expert 1's prototype; the unmarked (−9, −9) is ignored.
        var states = torch.tensor(new float[] { 0, 0, 6, 8, -9, -9 }, [1, 3, 2]);
        var mask = torch.tensor(new[] { true, true, false }, [1, 3]);
        Assert.Equal([0f, 1f], hard.Weights(states, mask).data<float>().ToArray());
    }

    [Fact]
    public void Residual_factors_are_the_truncated_svd_and_energy_picks_the_rank()
    {
        using var scope = torch.NewDisposeScope();
        // Residual diag(3, 2, 1) in a rotated basis: rank 1 keeps 9 of 14 of the energy, rank 2 keeps 13 of 14.
        var q = torch.tensor(new double[] { 0.6, -0.8, 0, 0.8, 0.6, 0, 0, 0, 1 }, [3, 3]);
        var residual = q.matmul(torch.diag(torch.tensor(new double[] { 3, 2, 1 }))).matmul(q.t()).to_type(torch.ScalarType.Float32);
        var backbone = torch.ones(3, 3);
        var source = backbone.add(residual);
        var (a1, b1) = ResidualFactors.Of(source, backbone, 1, null)!.Value;
        Assert.Equal([1L, 3L], a1.shape);
        Assert.Equal([3L, 1L], b1.shape);
        // The rank-1 approximation is 3·u₁u₁ᵀ with u₁ = (0.6, 0.8, 0).
        var expected = torch.tensor(new float[] { 1.08f, 1.44f, 0, 1.44f, 1.92f, 0, 0, 0, 0 }, [3, 3]);
        Assert.True(b1.matmul(a1).sub(expected).abs().max().item<float>() < 1e-5);
        Assert.Equal(2, ResidualFactors.Of(source, backbone, null, 0.9)!.Value.A.shape[0]);
        Assert.Equal(1, ResidualFactors.Of(source, backbone, null, 0.6)!.Value.A.shape[0]);
        Assert.Equal(3, ResidualFactors.Of(source, backbone, 8, null)!.Value.A.shape[0]);
        Assert.Null(ResidualFactors.Of(backbone, backbone, 2, null));
    }
}
