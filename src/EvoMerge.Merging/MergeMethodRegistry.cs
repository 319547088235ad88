using EvoMerge.Merging.Methods;

namespace EvoMerge.Merging;

/// <summary>
/// Merge methods by recipe name. <see cref="Default"/> holds the built-in methods (one file each under Methods/, listed
/// here once); <see cref="With"/> adds more (a plugin or a test's own method) without touching any caller. Everything
/// a caller needs to know about a method comes from its declarations on <see cref="IMergeMethod"/>; the registry also
/// derives the search genes they declare (<see cref="Genes"/>).
/// </summary>
public sealed class MergeMethodRegistry
{
    private readonly IMergeMethod[] _methods;
    private readonly Dictionary<string, IMergeMethod> _byName;

    /// <summary>The built-in methods.</summary>
    public static MergeMethodRegistry Default { get; } = new(
    [
        new LinearMerge(),
        new PassthroughMerge(),
        new TaskArithmeticMerge(),
        new TiesMerge(),
        new SlerpMerge(),
        new DareTiesMerge(),
        new DareLinearMerge(),
        new DellaMerge(),
        new DellaLinearMerge(),
        new BreadcrumbsMerge(),
        new BreadcrumbsTiesMerge(),
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
    ]);

    /// <summary>
    /// A registry of <paramref name="methods"/> in registration order. Names must be unique, and methods that declare a
    /// gene of the same name must agree on its scope and range (they share the gene in a genome).
    /// </summary>
    public MergeMethodRegistry(IEnumerable<IMergeMethod> methods)
    {
        _methods = [.. methods];
        _byName = new Dictionary<string, IMergeMethod>(StringComparer.Ordinal);
        foreach (var method in _methods)
        {
            if (!_byName.TryAdd(method.Name, method))
                throw new ArgumentException($"merge method '{method.Name}' is registered twice", nameof(methods));
        }
        Genes = CollectGenes(_methods);
    }

    /// <summary>Every method in registration order.</summary>
    public IReadOnlyList<IMergeMethod> Methods => _methods;

    /// <summary>Registered method names, sorted.</summary>
    public IReadOnlyList<string> Names => _byName.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The methods a search can offer (those with <see cref="IMergeMethod.Search"/>), in registration order.</summary>
    public IReadOnlyList<IMergeMethod> Searchable => _methods.Where(m => m.Search is not null).ToArray();

    /// <summary>
    /// Every search gene the searchable methods declare, once per name, in order of first declaration (registration
    /// order, then each method's parameter order): the order genes take in a genome.
    /// </summary>
    public IReadOnlyList<DeclaredGene> Genes { get; }

    /// <summary>The method of that name; an unknown name is an error listing the known ones.</summary>
    public IMergeMethod Get(string name) =>
        _byName.TryGetValue(name, out var method)
            ? method
            : throw new MergeException($"unknown merge_method '{name}' (known: {string.Join(", ", Names)})");

    /// <summary>True when a method of that name exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>This registry with <paramref name="more"/> added after the registered methods.</summary>
    public MergeMethodRegistry With(params IMergeMethod[] more) => new([.. _methods, .. more]);

    private static DeclaredGene[] CollectGenes(IEnumerable<IMergeMethod> methods)
    {
        var genes = new List<DeclaredGene>();
        foreach (var method in methods.Where(m => m.Search is not null))
        {
            foreach (var parameter in method.Parameters)
            {
                if (parameter.Gene is not { } gene) continue;
                int known = genes.FindIndex(g => g.Name == parameter.Name);
                if (known < 0)
                {
                    genes.Add(new DeclaredGene(parameter.Name, parameter.Scope, gene, [method.Name]));
                    continue;
                }
                var first = genes[known];
                if (first.Scope != parameter.Scope || !first.Gene.SameRange(gene))
                    throw new ArgumentException(
                        $"merge method '{method.Name}' declares gene '{parameter.Name}' unlike '{first.Methods[0]}' does (scope and range must agree)");
                genes[known] = first with { Methods = [.. first.Methods, method.Name] };
            }
        }
        return [.. genes];
    }
}
