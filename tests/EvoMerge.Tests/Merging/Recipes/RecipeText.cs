using EvoMerge.Merging.Recipes;
using Xunit;

namespace EvoMerge.Tests.Merging.Recipes;

/// <summary>Parses recipe text as "recipe.yml" with models under /models, for reader and resolver tests.</summary>
internal static class RecipeText
{
    public const string ModelRoot = "/models";

    public static MergeRecipe Parse(string yaml) => RecipeReader.Parse(yaml, "recipe.yml", ModelRoot);

    /// <summary>The message of the <see cref="RecipeException"/> that parsing raises.</summary>
    public static RecipeException Error(string yaml) => Assert.Throws<RecipeException>(() => Parse(yaml));
}
