namespace EvoMerge.Merging.Recipes;

/// <summary>The top-level parameters with a <c>modules:</c> entry's parameters taking precedence, name by name.</summary>
public static class ModuleParameters
{
    /// <summary>
    /// <paramref name="topLevel"/> when there are no module parameters; otherwise every name either level sets, the
    /// module's setting first and the top-level one where no filter of the module's matches (mergekit's order).
    /// </summary>
    public static RecipeParameters Over(RecipeParameters? module, RecipeParameters topLevel)
    {
        if (module is null || !module.Names.Any()) return topLevel;
        var names = module.Names.Concat(topLevel.Names.Where(n => module.Get(n) is null));
        return new RecipeParameters(topLevel.Label, names.Select(name =>
        {
            var first = module.Get(name);
            var then = topLevel.Get(name);
            ParameterSetting setting = first is null ? then! : then is null ? first : new FallbackSetting(first, then);
            return (name, setting, first is null ? topLevel.LineOf(name) : module.LineOf(name));
        }));
    }
}
