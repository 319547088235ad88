using Xunit;

namespace EvoMerge.Tests.Merging.Recipes;

/// <summary><c>model: BASE+ADAPTER</c> in recipes: split as mergekit splits it, resolved, and kept when the recipe text is rewritten.</summary>
public class LoraModelReferenceTests
{
    [Fact]
    public void Base_plus_adapter_names_the_base_directory_and_the_adapter_directory_and_differs_from_the_bare_base()
    {
        var recipe = RecipeText.Parse("""
            models:
              - model: base+adapters/chat
              - model: base
            merge_method: linear
            base_model: base+adapters/chat
            tokenizer_source: base+adapters/chat
            """);

        var sources = recipe.Slices[0].Sources;
        Assert.Equal("base+adapters/chat", sources[0].Model.Name);
        Assert.Equal("/models/base", sources[0].Model.Path);
        Assert.Equal("/models/adapters/chat", sources[0].Model.Adapter);
        Assert.Null(sources[1].Model.Adapter);
        Assert.False(sources[0].Model.SameModelAs(sources[1].Model));
        Assert.True(recipe.BaseModel!.SameModelAs(sources[0].Model));
        Assert.Equal("/models/adapters/chat", recipe.TokenizerSource!.Adapter);
    }

    [Fact]
    public void Rewriting_the_recipe_for_another_directory_rewrites_both_parts()
    {
        var recipe = RecipeText.Parse("models:\n  - model: base+adapters/chat\nmerge_method: linear\n");

        string text = recipe.TextRelativeTo("/models/out");

        Assert.Equal("models:\n  - model: \"../base+../adapters/chat\"\nmerge_method: linear\n", text);
    }
}
