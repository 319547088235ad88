using EvoMerge.Merging.Methods;

namespace EvoMerge.Merging;

/// <summary>All merge methods by recipe name. Each method is one file under Methods/ and is listed here once.</summary>
public static class MergeMethodRegistry
{
    private static readonly Dictionary<string, IMergeMethod> Methods = Build();

    /// <summary>Registered method names, sorted.</summary>
    public static IReadOnlyList<string> Names => Methods.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The method of that name; an unknown name is an error listing the known ones.</summary>
    public static IMergeMethod Get(string name) =>
        Methods.TryGetValue(name, out var method)
            ? method
            : throw new MergeException($"unknown merge_method '{name}' (known: {string.Join(", ", Names)})");

    /// <summary>True when a method of that name exists.</summary>
    public static bool Contains(string name) => Methods.ContainsKey(name);

    private static Dictionary<string, IMergeMethod> Build()
    {
        IMergeMethod[] all =
        [
            new LinearMerge(),
            new PassthroughMerge(),
            new TaskArithmeticMerge(),
            new TiesMerge(),
            new SlerpMerge(),
            new DareTiesMerge(),
            new DareLinearMerge(),
            new BreadcrumbsMerge(),
            new BreadcrumbsTiesMerge(),
            new DellaMerge(),
            new DellaLinearMerge(),
            new NuslerpMerge(),
            new MultislerpMerge(),
            new KarcherMerge(),
            new ModelStockMerge(),
            new NearswapMerge(),
            new SceMerge(),
            new RamMerge(),
            new RamPlusTlMerge(),
            new ArceeFusionMerge(),
            new TsvMerge(),
            new IsoCMerge(),
            new IsoCtsMerge(),
            new EssentialSubspaceMerge(),
        ];
        return all.ToDictionary(m => m.Name, StringComparer.Ordinal);
    }
}
