using EvoMerge.Merging;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Search.Proxy;

namespace EvoMerge.Search.Routed;

/// <summary>
/// What <c>evomerge merge</c> runs for a recipe file: the merge plan, the proxy activations its method needs (esm),
/// and for <c>merge_method: routed</c> (<see cref="RoutedMergeRecipe"/>) the backbone's plan and, once the backbone
/// is merged, the step that turns it into the routed-experts model (<see cref="Complete"/>).
/// </summary>
public sealed class RecipeMergeRun : IDisposable
{
    private readonly TaskProxyActivations? _proxy;

    private RecipeMergeRun(MergePlan plan, RoutedMergeRecipe? routed)
    {
        Plan = plan;
        Routed = routed;
        _proxy = TaskProxyActivations.ForRecipe(plan.Recipe);
    }

    /// <summary>The plan merged tensor by tensor (the backbone's, for a routed recipe).</summary>
    public MergePlan Plan { get; }

    /// <summary>The routed settings, or null for an ordinary recipe.</summary>
    public RoutedMergeRecipe? Routed { get; }

    /// <summary>The proxy activations the plan's method needs, or null.</summary>
    public IProxyActivations? Proxy => _proxy;

    /// <summary>Reads and plans a recipe file (models opened, everything checked before anything is written).</summary>
    public static RecipeMergeRun Open(string recipeFile)
    {
        var recipe = RecipeReader.ReadFile(recipeFile);
        var routed = RoutedMergeRecipe.Of(recipe);
        return new RecipeMergeRun(MergePlanner.Build(routed?.Backbone ?? recipe), routed);
    }

    /// <summary>After the plan was merged into <paramref name="directory"/>: for a routed recipe, builds the routed model there; otherwise nothing.</summary>
    public void Complete(string directory, long maxShardBytes)
    {
        if (Routed is not null) RoutedModelBuilder.Build(Routed, directory, maxShardBytes);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _proxy?.Dispose();
        Plan.Dispose();
    }
}
