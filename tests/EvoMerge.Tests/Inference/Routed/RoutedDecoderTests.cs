using System.Diagnostics;
using EvoMerge.Inference;
using EvoMerge.Inference.Routed;
using EvoMerge.Tensors;
using EvoMerge.Tensors.Routed;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace EvoMerge.Tests.Inference.Routed;

/// <summary>
/// The routed decoder against statically merged models written as ordinary files and read by the normal loader:
/// a router that always picks expert i scores as backbone + B_i·A_i; at full rank it is source i itself.
/// </summary>
public sealed class RoutedDecoderTests(ITestOutputHelper output)
{
    private static readonly RoutedExpertsConfig Block = new()
    {
        Experts = 2, Rank = 3, RouterLayer = 0, Temperature = 1.0, Granularity = RoutingGranularity.Sequence, TopK = 1,
    };

    [Theory]
    [InlineData(0, RoutingGranularity.Sequence, 0)]
    [InlineData(1, RoutingGranularity.Sequence, 0)]
    [InlineData(0, RoutingGranularity.Token, 1)]
    [InlineData(1, RoutingGranularity.Token, 1)]
    public void A_router_that_always_picks_an_expert_scores_like_the_backbone_with_its_factors_merged_in(int expert, RoutingGranularity granularity, int routerLayer)
    {
        using var models = new RoutedTestModels();
        var factors = models.Factors(rank: 3, routerLayer);
        using var prototypes = RoutedTestModels.PickingPrototypes(2, expert);
        string routed = models.WriteRouted("routed", factors, prototypes, Block with { Granularity = granularity, RouterLayer = routerLayer });
        string merged = models.WriteStatic("static", factors, expert);

        using var routedModel = LoadRouted(routed);
        using var staticModel = LoadPlain(merged);
        AssertSameLogits(staticModel, routedModel, 2e-4);
        AssertSameScores(staticModel, routedModel);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void At_full_rank_a_one_hot_router_gives_the_source_itself(int expert)
    {
        using var models = new RoutedTestModels();
        var factors = models.Factors(rank: 64, routerLayer: 0);
        using var prototypes = RoutedTestModels.PickingPrototypes(2, expert);
        string routed = models.WriteRouted("routed", factors, prototypes, Block with { TopK = 2 });

        using var routedModel = LoadRouted(routed);
        using var source = LoadPlain(models.Sources[expert]);
        using var backbone = LoadPlain(models.Backbone);
        AssertSameLogits(source, routedModel, 2e-4);
        AssertSameScores(source, routedModel);
        // The sources differ enough that matching one is not matching the backbone.
        Assert.True(MaxLogitDifference(backbone, routedModel) > 1e-2);
    }

    [Fact]
    public void Sequence_routing_from_the_context_is_the_same_whether_contexts_are_shared_or_scored_whole()
    {
        using var models = new RoutedTestModels();
        var factors = models.Factors(rank: 4, routerLayer: 1);
        using var backbone = LoadPlain(models.Backbone);
        var random = new Random(9);
        var prompts = Enumerable.Range(0, 2).Select(_ => (IReadOnlyList<IReadOnlyList<int>>)Enumerable.Range(0, 3)
            .Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, 6).Select(_ => random.Next(64)).ToArray()).ToList()).ToList();
        using var prototypes = RouterPrototypes.Collect(backbone, 1, prompts);
        string routed = models.WriteRouted("routed", factors, prototypes, Block with { RouterLayer = 1, TopK = 2, Temperature = 0.5 });
        using var model = LoadRouted(routed);
        var requests = Requests(new Random(4));

        var shared = model.LogLikelihood(requests, new LogLikelihoodOptions { SharePrefixes = true });
        var whole = model.LogLikelihood(requests, new LogLikelihoodOptions { SharePrefixes = false, TokenBudget = 16 });
        var plain = backbone.LogLikelihood(requests);

        for (int i = 0; i < requests.Count; i++) Assert.True(Math.Abs(shared[i].LogLikelihood - whole[i].LogLikelihood) < 1e-4, $"request {i}: {shared[i].LogLikelihood} vs {whole[i].LogLikelihood}");
        Assert.Contains(Enumerable.Range(0, requests.Count), i => Math.Abs(shared[i].LogLikelihood - plain[i].LogLikelihood) > 1e-3);
    }

    [Fact]
    public void Cost_against_the_static_model_is_reported()
    {
        using var models = new RoutedTestModels();
        var factors = models.Factors(rank: 3, routerLayer: 0);
        using var prototypes = RoutedTestModels.PickingPrototypes(2, 0);
        using var routed = LoadRouted(models.WriteRouted("routed", factors, prototypes, Block));
        using var plain = LoadPlain(models.Backbone);
        long backboneParameters = plain.Parameters.Values.Sum(t => t.numel());
        // Per linear [out, in] and expert: 3 · (in + out); 7 linears per layer, 2 layers, 2 experts; plus 2 × 32 prototypes.
        long perLayer = 3L * ((32 + 32) + (32 + 16) + (32 + 16) + (32 + 32) + (32 + 48) + (32 + 48) + (48 + 32));
        Assert.Equal(2 * 2 * perLayer + 2 * 32, routed.Experts!.ParameterCount);
        double routedRate = TokensPerSecond(routed), staticRate = TokensPerSecond(plain);
        output.WriteLine($"parameters: static {backboneParameters}, routed +{routed.Experts.ParameterCount}; tokens/s: static {staticRate:F0}, routed {routedRate:F0}");
    }

    internal static DecoderModel LoadRouted(string path)
    {
        using var directory = ModelDirectory.OpenRoutedAware(path);
        return DecoderModel.Load(directory);
    }

    internal static DecoderModel LoadPlain(string path)
    {
        using var directory = ModelDirectory.Open(path);
        return DecoderModel.Load(directory);
    }

    private static void AssertSameLogits(DecoderModel expected, DecoderModel actual, double tolerance)
    {
        double difference = MaxLogitDifference(expected, actual);
        Assert.True(difference <= tolerance, $"max logit difference {difference}");
    }

    private static double MaxLogitDifference(DecoderModel expected, DecoderModel actual)
    {
        using var scope = torch.NewDisposeScope();
        var generator = new torch.Generator(3);
        var ids = torch.randint(0, 64, [3, 9], generator: generator);
        var mask = torch.ones([3, 9], torch.ScalarType.Int64);
        mask[1, ..2] = torch.zeros(2, torch.ScalarType.Int64);
        return expected.Logits(ids, mask).sub(actual.Logits(ids, mask)).abs().max().item<float>();
    }

    private static void AssertSameScores(DecoderModel expected, DecoderModel actual)
    {
        var requests = Requests(new Random(8));
        foreach (bool share in new[] { true, false })
        {
            var want = expected.LogLikelihood(requests, new LogLikelihoodOptions { SharePrefixes = share });
            var got = actual.LogLikelihood(requests, new LogLikelihoodOptions { SharePrefixes = share, TokenBudget = 24 });
            for (int i = 0; i < requests.Count; i++)
            {
                Assert.True(Math.Abs(want[i].LogLikelihood - got[i].LogLikelihood) < 1e-3, $"request {i} (share {share}): {want[i].LogLikelihood} vs {got[i].LogLikelihood}");
                Assert.Equal(want[i].IsGreedy, got[i].IsGreedy);
            }
        }
        Assert.Equal(expected.Generate([1, 5, 9, 2], 6), actual.Generate([1, 5, 9, 2], 6));
    }

    /// <summary>Groups sharing a context (multiple choice) and single requests.</summary>
    private static List<LogLikelihoodRequest> Requests(Random random)
    {
        int[] Tokens(int n) => Enumerable.Range(0, n).Select(_ => random.Next(64)).ToArray();
        var requests = new List<LogLikelihoodRequest>();
        for (int g = 0; g < 3; g++)
        {
            var context = Tokens(3 + 2 * g);
            for (int c = 0; c < 3; c++) requests.Add(new LogLikelihoodRequest(context, Tokens(1 + c)));
        }
        for (int i = 0; i < 3; i++) requests.Add(new LogLikelihoodRequest(Tokens(2 + i), Tokens(2)));
        return requests;
    }

    private static double TokensPerSecond(DecoderModel model)
    {
        using var scope = torch.NewDisposeScope();
        var ids = torch.randint(0, 64, [8, 64], generator: new torch.Generator(1));
        model.Logits(ids).Dispose();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 5; i++) model.Logits(ids).Dispose();
        return 5 * ids.numel() / clock.Elapsed.TotalSeconds;
    }
}
