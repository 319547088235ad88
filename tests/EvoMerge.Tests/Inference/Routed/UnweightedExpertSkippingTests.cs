using EvoMerge.Inference;
using EvoMerge.Inference.Routed;
using EvoMerge.Tensors.Routed;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Inference.Routed;

/// <summary>
/// Experts that top_k leaves without weight are not computed (per row for sequence routing, per token for token
/// routing), and skipping changes no result: rows routed to different experts score like the statically merged
/// model of their own expert, and every score equals the one of the stacked pass that computes all experts.
/// </summary>
public sealed class UnweightedExpertSkippingTests
{
    // 2 layers × 7 linear weights, each with factors of both experts (rank 3, router layer 0).
    private const int RoutedLinears = 14;

    private static readonly RoutedExpertsConfig Block = new()
    {
        Experts = 2, Rank = 3, RouterLayer = 0, Temperature = 1.0, Granularity = RoutingGranularity.Sequence, TopK = 1,
    };

    private static readonly long[][] Prompts = [[3, 17, 40, 8, 22, 9], [51, 2, 33, 60, 14, 27]];

    [Theory]
    [InlineData(RoutingGranularity.Sequence)]
    [InlineData(RoutingGranularity.Token)]
    public void A_router_that_picks_one_expert_computes_only_that_one(RoutingGranularity granularity)
    {
        using var models = new RoutedTestModels();
        var factors = models.Factors(rank: 3, routerLayer: 0);
        using var prototypes = RoutedTestModels.PickingPrototypes(2, 1);
        using var model = RoutedDecoderTests.LoadRouted(models.WriteRouted("routed", factors, prototypes, Block with { Granularity = granularity }));
        using var ids = torch.tensor(Prompts.SelectMany(p => p).ToArray(), [2, 6]);
        int units = granularity == RoutingGranularity.Sequence ? 2 : 12;

        Assert.Equal(RoutedLinears * units, Evaluations(model, ids));
        model.Experts!.SkipsUnweightedExperts = false;
        Assert.Equal(2 * RoutedLinears * units, Evaluations(model, ids));
    }

    [Fact]
    public void With_top_k_equal_to_the_experts_every_expert_is_computed()
    {
        using var models = new RoutedTestModels();
        var factors = models.Factors(rank: 3, routerLayer: 0);
        using var prototypes = RoutedTestModels.PickingPrototypes(2, 1);
        using var model = RoutedDecoderTests.LoadRouted(models.WriteRouted("routed", factors, prototypes, Block with { TopK = 2 }));
        using var ids = torch.tensor(Prompts.SelectMany(p => p).ToArray(), [2, 6]);
        Assert.Equal(2 * RoutedLinears * 2, Evaluations(model, ids));
    }

    [Fact]
    public void Rows_routed_to_different_experts_each_score_like_their_expert_merged_statically()
    {
        using var models = new RoutedTestModels();
        var factors = models.Factors(rank: 3, routerLayer: 1);
        using var backbone = RoutedDecoderTests.LoadPlain(models.Backbone);
        // Each prompt's own mean state is a prototype, so prompt s routes to expert s at distance 0.
        using var prototypes = RouterPrototypes.Collect(backbone, 1, Prompts.Select(p => (IReadOnlyList<IReadOnlyList<int>>)[p.Select(t => (int)t).ToArray()]).ToList());
        using var model = RoutedDecoderTests.LoadRouted(models.WriteRouted("routed", factors, prototypes, Block with { RouterLayer = 1 }));
        using var static0 = RoutedDecoderTests.LoadPlain(models.WriteStatic("static0", factors, 0));
        using var static1 = RoutedDecoderTests.LoadPlain(models.WriteStatic("static1", factors, 1));
        using var scope = torch.NewDisposeScope();
        var ids = torch.tensor(Prompts.SelectMany(p => p).ToArray(), [2, 6]);

        long before = model.Experts!.ExpertEvaluations;
        var logits = model.Logits(ids);
        // Layer 1's 7 linears, each computing expert 0 on row 0 and expert 1 on row 1 (all experts on both rows: 28).
        Assert.Equal(7 * 2, model.Experts.ExpertEvaluations - before);
        Assert.True(logits[0].sub(static0.Logits(ids)[0]).abs().max().item<float>() < 2e-4);
        Assert.True(logits[1].sub(static1.Logits(ids)[1]).abs().max().item<float>() < 2e-4);
        Assert.True(logits[1].sub(static0.Logits(ids)[1]).abs().max().item<float>() > 1e-2, "the experts differ, so the rows tell which one ran");
        model.Experts.SkipsUnweightedExperts = false;
        before = model.Experts.ExpertEvaluations;
        Assert.True(model.Logits(ids).sub(logits).abs().max().item<float>() < 1e-5);
        Assert.Equal(7 * 2 * 2, model.Experts.ExpertEvaluations - before);
    }

    [Theory]
    [InlineData(RoutingGranularity.Sequence, 1)]
    [InlineData(RoutingGranularity.Token, 1)]
    [InlineData(RoutingGranularity.Token, 0)]
    public void Skipping_gives_the_scores_of_the_pass_that_computes_every_expert(RoutingGranularity granularity, int routerLayer)
    {
        using var models = new RoutedTestModels();
        var factors = models.Factors(rank: 3, routerLayer);
        using var backbone = RoutedDecoderTests.LoadPlain(models.Backbone);
        using var prototypes = RouterPrototypes.Collect(backbone, routerLayer, Prompts.Select(p => (IReadOnlyList<IReadOnlyList<int>>)[p.Select(t => (int)t).ToArray()]).ToList());
        using var model = RoutedDecoderTests.LoadRouted(models.WriteRouted("routed", factors, prototypes, Block with { RouterLayer = routerLayer, Granularity = granularity }));
        var random = new Random(12);
        var requests = new List<LogLikelihoodRequest>();
        for (int g = 0; g < 6; g++)
        {
            var context = Enumerable.Range(0, 3 + g).Select(_ => random.Next(64)).ToArray();
            for (int c = 0; c < 3; c++) requests.Add(new LogLikelihoodRequest(context, Enumerable.Range(0, 1 + c).Select(_ => random.Next(64)).ToArray()));
        }
        requests.Add(new LogLikelihoodRequest(Prompts[0].Select(t => (int)t).ToArray(), [5, 6]));
        requests.Add(new LogLikelihoodRequest(Prompts[1].Select(t => (int)t).ToArray(), [5, 6]));

        foreach (bool share in new[] { true, false })
        {
            var options = new LogLikelihoodOptions { SharePrefixes = share, TokenBudget = 40 };
            model.Experts!.SkipsUnweightedExperts = true;
            long before = model.Experts.ExpertEvaluations;
            var skipping = model.LogLikelihood(requests, options);
            long skipped = model.Experts.ExpertEvaluations - before;
            model.Experts.SkipsUnweightedExperts = false;
            before = model.Experts.ExpertEvaluations;
            var stacked = model.LogLikelihood(requests, options);
            long all = model.Experts.ExpertEvaluations - before;
            Assert.True(skipped < all, $"share {share}: {skipped} expert evaluations skipping, {all} computing all");
            for (int i = 0; i < requests.Count; i++)
            {
                Assert.True(Math.Abs(skipping[i].LogLikelihood - stacked[i].LogLikelihood) < 1e-4, $"request {i} (share {share}): {skipping[i].LogLikelihood} vs {stacked[i].LogLikelihood}");
                Assert.Equal(stacked[i].IsGreedy, skipping[i].IsGreedy);
            }
        }
    }

    private static long Evaluations(DecoderModel model, torch.Tensor ids)
    {
        long before = model.Experts!.ExpertEvaluations;
        model.Logits(ids).Dispose();
        return model.Experts.ExpertEvaluations - before;
    }
}
