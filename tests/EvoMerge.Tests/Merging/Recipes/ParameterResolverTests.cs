using EvoMerge.Merging;
using EvoMerge.Merging.Recipes;
using Xunit;

namespace EvoMerge.Tests.Merging.Recipes;

public class ParameterResolverTests
{
    private const string Up = "model.layers.2.mlp.up_proj.weight";
    private const string Q = "model.layers.2.self_attn.q_proj.weight";

    [Fact]
    public void Per_model_values_come_from_the_source_then_the_slice_then_the_top_level_then_the_default()
    {
        var recipe = RecipeText.Parse("""
            slices:
              - sources:
                  - model: base
                    layer_range: [0, 4]
                  - model: a
                    layer_range: [0, 4]
                    parameters: {weight: 0.7, density: [{filter: mlp, value: 0.2}]}
                  - model: b
                    layer_range: [0, 4]
                    parameters: {weight: [{filter: self_attn, value: 0.9}]}
                parameters: {density: 0.4}
            merge_method: ties
            base_model: base
            parameters: {weight: 0.1, lambda: 2}
            """);
        var resolver = new ParameterResolver(recipe, FakeMergeMethod.Ties());
        var slice = recipe.Slices[0];

        var aUp = resolver.PerModel(slice, slice.Sources[1], false, Up, 0.5);
        Assert.Equal(0.7, aUp.Get("weight"));
        Assert.Equal(0.2, aUp.Get("density"));
        var aQ = resolver.PerModel(slice, slice.Sources[1], false, Q, 0.5);
        Assert.Equal(0.4, aQ.Get("density"));

        Assert.Equal(0.9, resolver.PerModel(slice, slice.Sources[2], false, Q, 0.5).Get("weight"));
        Assert.Equal(0.1, resolver.PerModel(slice, slice.Sources[2], false, Up, 0.5).Get("weight"));

        var global = resolver.Global(slice, Up, 0.5);
        Assert.Equal(2.0, global.Get("lambda"));
        Assert.Equal(1.0, global.Get("normalize"));
        Assert.Equal(0.0, global.Get("int8_mask"));
    }

    [Fact]
    public void Density_falls_back_to_the_method_default_when_nothing_sets_it()
    {
        var recipe = RecipeText.Parse("models: [{model: a, parameters: {weight: 1}}]\nmerge_method: ties\nbase_model: base\n");
        var resolver = new ParameterResolver(recipe, FakeMergeMethod.Ties());
        var slice = recipe.Slices[0];
        Assert.Equal(1.0, resolver.PerModel(slice, slice.Sources[0], false, Up, 0).Get("density"));
    }

    [Fact]
    public void Gradients_are_evaluated_at_the_given_position_and_filters_against_the_given_name()
    {
        var recipe = RecipeText.Parse("""
            slices:
              - sources:
                  - {model: a, layer_range: [20, 24], parameters: {scale: [{filter: layers.21., value: [0, 1]}, {value: 5}]}}
            merge_method: passthrough
            """);
        var resolver = new ParameterResolver(recipe, FakeMergeMethod.Passthrough());
        var slice = recipe.Slices[0];
        Assert.Equal(1.0 / 3, resolver.PerModel(slice, slice.Sources[0], false, "model.layers.21.mlp.up_proj.weight", 1.0 / 3).Get("scale"), 12);
        Assert.Equal(5.0, resolver.PerModel(slice, slice.Sources[0], false, "model.layers.1.mlp.up_proj.weight", 1.0 / 3).Get("scale"));
    }

    [Fact]
    public void A_parameter_without_default_that_nothing_sets_is_absent()
    {
        var recipe = RecipeText.Parse("slices:\n  - sources: [{model: a, layer_range: [0, 1]}]\nmerge_method: passthrough\n");
        var resolver = new ParameterResolver(recipe, FakeMergeMethod.Passthrough());
        Assert.False(resolver.PerModel(recipe.Slices[0], recipe.Slices[0].Sources[0], false, Up, 1).Has("scale"));
    }

    [Fact]
    public void A_missing_required_weight_names_the_model_line_but_the_base_never_needs_one()
    {
        var recipe = RecipeText.Parse("""
            models:
              - model: a
                parameters: {weight: 1}
              - model: b
                parameters: {density: 0.5}
            merge_method: ties
            base_model: base
            """);
        var resolver = new ParameterResolver(recipe, FakeMergeMethod.Ties());
        var slice = recipe.Slices[0];
        var error = Assert.Throws<RecipeException>(() => resolver.PerModel(slice, slice.Sources[1], false, Up, 0));
        Assert.Equal("recipe.yml:4: model 'b' (models[1]) has no value for required parameter 'weight' of ties (tensor 'model.layers.2.mlp.up_proj.weight')", error.Message);
        Assert.False(resolver.PerModel(slice, slice.Sources[2], true, Up, 0).Has("weight"));
    }

    [Fact]
    public void A_required_global_parameter_whose_filters_do_not_match_is_an_error_at_merge_method()
    {
        var recipe = RecipeText.Parse("""
            slices:
              - sources:
                  - {model: a, layer_range: [0, 2]}
                  - {model: b, layer_range: [0, 2]}
            merge_method: slerp
            base_model: a
            parameters:
              t: [{filter: mlp, value: 0.5}]
            """);
        var resolver = new ParameterResolver(recipe, FakeMergeMethod.Slerp());
        Assert.Equal(0.5, resolver.Global(recipe.Slices[0], Up, 0).Get("t"));
        var error = Assert.Throws<RecipeException>(() => resolver.Global(recipe.Slices[0], Q, 0));
        Assert.Equal("recipe.yml:5: slerp needs parameter 't', but no value applies to tensor 'model.layers.2.self_attn.q_proj.weight'", error.Message);
    }

    [Theory]
    [InlineData("models:\n  - model: a\n    parameters: {weight: 1}\n  - model: b\n    parameters: {weight: 1, densty: 0.5}\nmerge_method: ties\nbase_model: c\n",
        "recipe.yml:5: 'densty' in models[1].parameters is not a parameter of ties (did you mean 'density'?)")]
    [InlineData("models:\n  - model: a\n    parameters: {weight: 1, lambda: 2}\nmerge_method: ties\nbase_model: c\n",
        "recipe.yml:3: 'lambda' in models[0].parameters is a global parameter of ties, not a per-model one (set it under the top-level or slice parameters)")]
    [InlineData("models: [{model: a, parameters: {weight: 1}}]\nmerge_method: ties\nbase_model: c\nparameters: {t: 1}\n",
        "recipe.yml:4: 't' in parameters is not a parameter of ties (its parameters: weight, density, normalize, int8_mask, lambda)")]
    public void Parameters_the_method_does_not_use_are_warnings_naming_the_key_and_the_method(string yaml, string warning)
    {
        var recipe = RecipeText.Parse(yaml);
        var resolver = new ParameterResolver(recipe, FakeMergeMethod.Ties());
        Assert.Equal([warning + "; ignored, as mergekit does"], resolver.Warnings.Select(w => w.ToString()));
        Assert.Equal(warning + "; refused by --strict", resolver.Warnings[0].ToError().Message);
    }

    [Fact]
    public void The_weight_every_two_model_slerp_test_of_mergekit_sets_is_ignored_with_a_warning()
    {
        var recipe = RecipeText.Parse("""
            models:
              - model: a
                parameters: {weight: 0.6}
              - model: b
                parameters: {weight: 0.6}
            merge_method: slerp
            base_model: a
            parameters: {t: 0.35}
            """);
        var resolver = new ParameterResolver(recipe, FakeMergeMethod.Slerp());
        Assert.Equal([3, 5], resolver.Warnings.Select(w => w.Line));
        Assert.All(resolver.Warnings, w => Assert.StartsWith("'weight' in models[", w.Problem, StringComparison.Ordinal));
        Assert.All(resolver.Warnings, w => Assert.Contains("is not a parameter of slerp", w.Problem, StringComparison.Ordinal));
        Assert.Equal(0.35, resolver.Global(recipe.Slices[0], Up, 0.5).Get("t"));
    }

    [Theory]
    [InlineData("models: [{model: a, parameters: {weight: 1}}]\nmerge_method: ties\nbase_model: c\nparameters:\n  normalize: 0.5\n",
        5, "parameters.normalize must be true or false")]
    [InlineData("models: [{model: a, parameters: {weight: [{filter: mlp, value: true}]}}]\nmerge_method: ties\nbase_model: c\n",
        1, "models[0].parameters.weight must be a number")]
    public void Parameters_of_the_wrong_type_are_errors(string yaml, int line, string problem)
    {
        var recipe = RecipeText.Parse(yaml);
        var error = Assert.Throws<RecipeException>(() => new ParameterResolver(recipe, FakeMergeMethod.Ties()));
        Assert.Equal(line, error.Line);
        Assert.Contains(problem, error.Message);
    }

    [Theory]
    [InlineData("models:\n  - model: a\n    parameters: {weight: 1, density: 0}\nmerge_method: ties\nbase_model: c\n", "ties",
        "recipe.yml:3: models[0].parameters.density: 0 is outside the allowed range (0, 1] of ties's 'density'")]
    [InlineData("models:\n  - model: a\n    parameters: {weight: 1, density: -0.5}\nmerge_method: dare_ties\nbase_model: c\n", "dare_ties",
        "recipe.yml:3: models[0].parameters.density: -0.5 is outside the allowed range [0, ∞) of dare_ties's 'density'")]
    [InlineData("models: [{model: a}]\nmerge_method: iso_cts\nbase_model: c\nparameters:\n  common_space_fraction:\n    - {filter: mlp, value: 0.5}\n    - {value: -0.25}\n", "iso_cts",
        "recipe.yml:7: parameters.common_space_fraction: -0.25 is outside the allowed range [0, 1] of iso_cts's 'common_space_fraction'")]
    public void Values_outside_the_declared_domain_are_errors_naming_the_value_and_the_range(string yaml, string method, string expected)
    {
        var recipe = RecipeText.Parse(yaml);
        var error = Assert.Throws<RecipeException>(() => new ParameterResolver(recipe, MergeMethodRegistry.Default.Get(method)));
        Assert.Equal(expected, error.Message);
    }

    // mergekit's sparsifiers return the task vector unchanged for any density >= 1, so a density above 1 acts as 1.
    [Fact]
    public void A_density_above_1_is_read_as_1_with_one_warning_as_mergekit_keeps_every_element()
    {
        var recipe = RecipeText.Parse("models:\n  - model: a\n    parameters: {weight: 1, density: 1.5}\n  - model: b\n    parameters: {weight: 1}\nmerge_method: ties\nbase_model: c\nparameters:\n  density: [0.5, 1, 1.25]\n");
        var resolver = new ParameterResolver(recipe, MergeMethodRegistry.Default.Get("ties"));
        Assert.Equal(
            ["recipe.yml:3: models[0].parameters.density: 1.5 is above 1, the top of ties's 'density' (0, 1]; read as 1, as mergekit does",
             "recipe.yml:9: parameters.density: 1.25 is above 1, the top of ties's 'density' (0, 1]; read as 1, as mergekit does"],
            resolver.Warnings.Select(w => w.ToString()));
        var slice = recipe.Slices[0];
        Assert.Equal(1.0, resolver.PerModel(slice, slice.Sources[0], false, "model.layers.0.mlp.up_proj.weight", 0.5).Get("density", 0));
        // b takes the top-level gradient [0.5, 1, 1.25]: 0.75 at position 0.25, 1.125 (read as 1) at 0.75, 1.25 (read as 1) at 1.
        Assert.Equal(0.75, resolver.PerModel(slice, slice.Sources[1], false, "model.layers.0.mlp.up_proj.weight", 0.25).Get("density", 0), 12);
        Assert.Equal(1.0, resolver.PerModel(slice, slice.Sources[1], false, "model.layers.0.mlp.up_proj.weight", 0.75).Get("density", 0));
        Assert.Equal(1.0, resolver.PerModel(slice, slice.Sources[1], false, "model.layers.0.mlp.up_proj.weight", 1.0).Get("density", 0));
        var strict = Assert.Throws<RecipeException>(() => RecipeWarning.Report(resolver.Warnings, strict: true, _ => { }));
        Assert.Equal("recipe.yml:3: models[0].parameters.density: 1.5 is above 1, the top of ties's 'density' (0, 1]; refused by --strict", strict.Message);
    }

    // mergekit merges these (slerp's formula extrapolates, the sparsifiers keep nothing or reverse their order, and
    // task_arithmetic reads density without using it): accepted and read as written, one warning each.
    [Theory]
    [InlineData("slerp", "t: [{filter: mlp, value: 0.5}, {value: -0.25}]", "parameters.t: -0.25 is outside [0, 1], the usual range of slerp's 't': slerp extrapolates past the base (t = 0), away from the other model", -0.25)]
    [InlineData("slerp", "t: 1.5", "parameters.t: 1.5 is outside [0, 1], the usual range of slerp's 't': slerp extrapolates past the other model (t = 1), away from the base", 1.5)]
    [InlineData("dare_linear", "density: 0", "parameters.density: 0 is outside (0, 1], the usual range of dare_linear's 'density': DARE keeps no element, so this model adds nothing to the merge", 0.0)]
    [InlineData("della", "density: -1", "parameters.density: -1 is outside (0, 1], the usual range of della's 'density': DELLA keeps no element, so this model adds nothing to the merge", -1.0)]
    [InlineData("breadcrumbs_ties", "gamma: 2", "parameters.gamma: 2 is outside [0, 1], the usual range of breadcrumbs_ties's 'gamma': the top drop shrinks to fit the density, so only the smallest magnitudes are kept", 2.0)]
    [InlineData("della_linear", "epsilon: -0.1", "parameters.epsilon: -0.1 is outside [0, ∞), the usual range of della_linear's 'epsilon': DELLA's keep probabilities are reversed, so smaller magnitudes are kept more often than larger ones", -0.1)]
    [InlineData("task_arithmetic", "density: 0", "parameters.density: 0 is outside (0, 1], the usual range of task_arithmetic's 'density': this method sparsifies nothing, so density has no effect", 0.0)]
    public void Unusual_values_mergekit_merges_are_read_as_written_with_one_warning(string method, string setting, string problem, double value)
    {
        string weight = method == "slerp" ? "" : "weight: 1";
        var recipe = RecipeText.Parse($"models: [{{model: a, parameters: {{{weight}}}}}]\nmerge_method: {method}\nbase_model: c\nparameters: {{{setting}}}\n");
        var resolver = new ParameterResolver(recipe, MergeMethodRegistry.Default.Get(method));
        var warning = Assert.Single(resolver.Warnings);
        Assert.Equal($"recipe.yml:4: {problem}; merged as mergekit does", warning.ToString());
        Assert.Equal($"recipe.yml:4: {problem}; refused by --strict", warning.ToError().Message);
        string name = setting.Split(':')[0];
        var slice = recipe.Slices[0];
        double read = name == "t"
            ? resolver.Global(slice, "model.layers.0.self_attn.q_proj.weight", 0).Get(name)
            : resolver.PerModel(slice, slice.Sources[0], false, Up, 0).Get(name);
        Assert.Equal(value, read);
    }

    [Theory]
    [InlineData("ties", "density: 1")]
    [InlineData("ties", "density: 0.001")]
    [InlineData("slerp", "t: 0")]
    [InlineData("slerp", "t: [0, 1]")]
    public void Values_at_the_edges_of_the_domain_are_accepted(string method, string setting)
    {
        string weight = method == "slerp" ? "" : "weight: 1, ";
        var recipe = RecipeText.Parse($"models: [{{model: a, parameters: {{{weight}}}}}]\nmerge_method: {method}\nbase_model: c\nparameters: {{{setting}}}\n");
        _ = new ParameterResolver(recipe, MergeMethodRegistry.Default.Get(method));
    }
}
