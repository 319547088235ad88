using EvoMerge.Merging;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Mergekit;

/// <summary>
/// Every recipe of the mergekit corpus (tests/fixtures/mergekit/README.md) is accepted by the dry run and merges for
/// real exactly where mergekit's <c>run_merge</c> accepted it, and where mergekit raised EvoMerge refuses too; the
/// float32 merges equal mergekit's output tensors within 2e-5.
/// </summary>
public class MergekitCorpusTests
{
    /// <summary>mergekit draws DARE/DELLA masks from torch's global generator; only their invariants can be compared.</summary>
    private static readonly HashSet<string> RandomMethods = ["dare_ties", "dare_linear", "della", "della_linear"];

    public static TheoryData<string> Recipes() => [.. MergekitCorpus.RecipeNames];

    private static bool MergekitAccepts(string name) => MergekitCorpus.MergekitResults[name].StartsWith("ok", StringComparison.Ordinal);

    [Fact]
    public void Every_recipe_has_mergekit_s_outcome_recorded()
    {
        Assert.NotEmpty(MergekitCorpus.RecipeNames);
        Assert.Equal(MergekitCorpus.RecipeNames, MergekitCorpus.MergekitResults.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void Recipe_is_accepted_by_the_dry_run_and_merges_where_mergekit_accepts_it(string name)
    {
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDirectory("mergekit-corpus");
        string recipe = MergekitCorpus.Recipe(name);
        if (!MergekitAccepts(name))
        {
            var refused = Assert.ThrowsAny<Exception>(() =>
            {
                using var plan = MergePlanner.Build(RecipeReader.ReadFile(recipe));
                using var sink = ModelDirectorySink.Create(plan, dir.Combine("out"), SafetensorsWriter.DefaultMaxShardBytes, false);
                using var executor = new MergeExecutor(plan, new MergeExecutionOptions());
                executor.Run(sink);
            });
            Assert.True(refused is RecipeException or MergeException, $"{name}: {refused.GetType().Name}: {refused.Message}");
            return;
        }

        using (var plan = MergePlanner.Build(RecipeReader.ReadFile(recipe)))
        {
            Assert.Contains(plan.Method.Name, MergePlanSummary.Describe(plan), StringComparison.Ordinal);
            using var sink = ModelDirectorySink.Create(plan, dir.Combine("out"), SafetensorsWriter.DefaultMaxShardBytes, false);
            using var executor = new MergeExecutor(plan, new MergeExecutionOptions());
            executor.Run(sink);
        }
        using var merged = ModelDirectory.Open(dir.Combine("out"));
        AssertMergeLayoutComplete(name, merged);
        using var weights = ModelWeights.Open(dir.Combine("out"));
        foreach (string tensor in weights.Names)
        {
            Assert.True(weights.Load(tensor, torch.ScalarType.Float32).isfinite().all().item<bool>(), $"{name}: {tensor} is not finite");
        }
    }

    /// <summary>
    /// <see cref="ModelDirectory.Validate"/> for any family that merges (Granite and GPT-2 merge but are not evaluated):
    /// every tensor the merge layout expects exists with the shape config.json implies.
    /// </summary>
    private static void AssertMergeLayoutComplete(string name, ModelDirectory merged)
    {
        var layout = merged.MergeLayout;
        using var weights = ModelWeights.Open(merged.Path);
        foreach (string tensor in layout.ExpectedNames())
        {
            Assert.True(weights.Contains(tensor), $"{name}: {tensor} is missing from the merged model");
            var shape = layout.ExpectedShape(tensor);
            Assert.True(shape is null || shape.SequenceEqual(weights.Info(tensor).Shape), $"{name}: {tensor} has shape {weights.Info(tensor).ShapeText}, config.json implies [{string.Join(", ", shape ?? [])}]");
        }
    }

    [Theory]
    [MemberData(nameof(Recipes))]
    public void Float32_merge_equals_mergekit_s_output(string name)
    {
        string expectedPath = MergekitCorpus.Expected(name);
        if (!File.Exists(expectedPath))
        {
            string outcome = MergekitCorpus.MergekitResults[name];
            Assert.True(!MergekitAccepts(name) || outcome.Contains("random", StringComparison.Ordinal), $"{name}: no expected tensors although mergekit gave '{outcome}'");
            return;
        }
        using var scope = torch.NewDisposeScope();
        using var dir = new TempDirectory("mergekit-corpus");
        using (var plan = MergePlanner.Build(RecipeReader.ReadFile(MergekitCorpus.Float32Copy(name, dir.Path))))
        {
            Assert.DoesNotContain(plan.Method.Name, RandomMethods);
            using var sink = ModelDirectorySink.Create(plan, dir.Combine("out"), SafetensorsWriter.DefaultMaxShardBytes, false);
            using var executor = new MergeExecutor(plan, new MergeExecutionOptions());
            executor.Run(sink);
        }
        bool fusion = File.ReadAllText(MergekitCorpus.Recipe(name)).Contains("merge_method: arcee_fusion", StringComparison.Ordinal);
        using var expected = SafetensorsFile.Open(expectedPath);
        using var actual = ModelWeights.Open(dir.Combine("out"));
        Assert.Equal(expected.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal), actual.Names.Order(StringComparer.Ordinal));
        var failures = new List<string>();
        foreach (var info in expected.Tensors)
        {
            var want = expected.Load(info.Name, torch.ScalarType.Float32);
            var got = actual.Load(info.Name, torch.ScalarType.Float32);
            if (!want.shape.SequenceEqual(got.shape))
            {
                failures.Add($"{info.Name}: shape [{string.Join(", ", got.shape)}], mergekit [{string.Join(", ", want.shape)}]");
                continue;
            }
            var far = (want.to(torch.ScalarType.Float64) - got.to(torch.ScalarType.Float64)).abs().gt(2e-5);
            if (fusion) far = far.logical_and(ArceeFusionBorderline.Flipped(name, info.Name, want, got).logical_not());
            long count = far.sum().item<long>();
            if (count > 0) failures.Add($"{info.Name}: {count} elements differ by more than 2e-5");
        }
        Assert.True(failures.Count == 0, $"{name}: {failures.Count} of {expected.Tensors.Count} tensors differ from mergekit's:\n" + string.Join("\n", failures.Take(12)));
    }
}
