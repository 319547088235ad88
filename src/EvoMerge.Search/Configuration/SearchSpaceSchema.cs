using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Merging;

namespace EvoMerge.Search.Configuration;

/// <summary>
/// The search config schema for a set of merge methods. The parts that depend on the methods are generated from
/// their declarations: <c>genome.methods</c> (the searchable methods, with their genes, inputs and source counts) and
/// <c>$defs.ranges</c> (one entry per declared gene with its default range in its description and its parameter's
/// domain as <c>minimum</c> / <c>exclusiveMinimum</c> / <c>maximum</c> on both ends). Everything else comes from the
/// embedded <c>search-space.schema.json</c>, which is itself this generator's output for
/// <see cref="MergeMethodRegistry.Default"/> (a test compares the two), so the file never disagrees with the code.
/// </summary>
public static class SearchSpaceSchema
{
    private static readonly Lazy<JsonSchemaValidator> DefaultValidator = new(() => new JsonSchemaValidator(Build(MergeMethodRegistry.Default)));

    private static readonly JsonSerializerOptions Format = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A validator for configs that may name <paramref name="methods"/> (the default one is built once).</summary>
    public static JsonSchemaValidator ValidatorFor(MergeMethodRegistry methods) =>
        ReferenceEquals(methods, MergeMethodRegistry.Default) ? DefaultValidator.Value : new JsonSchemaValidator(Build(methods));

    /// <summary>The schema as text (two-space indentation, a final newline): what <c>search-space.schema.json</c> holds.</summary>
    public static string Text(MergeMethodRegistry methods) => Build(methods).ToJsonString(Format).Replace("\r\n", "\n", StringComparison.Ordinal) + "\n";

    /// <summary>The schema with the method list and gene ranges generated from <paramref name="methods"/>.</summary>
    public static JsonObject Build(MergeMethodRegistry methods)
    {
        var schema = JsonNode.Parse(JsonSchemaValidator.SearchSpaceSchemaText())!.AsObject();
        var definitions = schema["$defs"]!.AsObject();
        var methodList = definitions["genome"]!["properties"]!["methods"]!.AsObject();
        methodList["description"] = MethodsDescription(methods);
        methodList["items"]!["enum"] = new JsonArray([.. methods.Searchable.Select(m => (JsonNode)JsonValue.Create(m.Name))]);
        var ranges = new JsonObject();
        foreach (var gene in methods.Genes)
        {
            var entry = new JsonObject { ["$ref"] = "#/$defs/range", ["description"] = GeneDescription(gene) };
            if (DomainKeywords(gene.Gene.Domain) is { } items) entry["items"] = items;
            ranges[gene.Name] = entry;
        }
        definitions["ranges"]!["properties"] = ranges;
        return schema;
    }

    private static string MethodsDescription(MergeMethodRegistry methods)
    {
        var entries = methods.Searchable.Select(m =>
        {
            var genes = m.Parameters.Where(p => p.Gene is not null).Select(p => p.Name).ToList();
            var notes = new List<string> { genes.Count == 0 ? "no genes" : string.Join(", ", genes) };
            var search = m.Search!;
            if (search.Inputs == SearchInputs.SourcesOnly) notes.Add("the sources only");
            if (search.Inputs == SearchInputs.FirstSourceAsBase) notes.Add("the first source as base");
            if (SourceCount(search) is { } count) notes.Add(count);
            if (m.NeedsProxyActivations) notes.Add("needs merge.proxy_tasks");
            return $"{m.Name} ({string.Join("; ", notes)})";
        });
        return "Merge methods the search may choose (a categorical gene when more than one), each with its genes, and where it "
            + "differs from the base and any number of sources, the models it merges: " + string.Join(", ", entries)
            + ". Generated from the methods' declarations; `evomerge methods` lists every parameter.";
    }

    private static string? SourceCount(MethodSearchSupport search) => (search.MinSources, search.MaxSources) switch
    {
        (1, null) => null,
        (var min, null) => $"at least {min} sources",
        (var min, { } max) when min == max => $"exactly {max} sources",
        (var min, { } max) => $"{min} to {max} sources",
    };

    private static string GeneDescription(DeclaredGene gene)
    {
        string scope = gene.Scope == ParameterScope.PerModel ? "one gene per source model and group" : "one gene per group";
        string bounds = gene.Gene.Domain.IsUnbounded ? "" : $"; values must lie in {gene.Gene.Domain}";
        return $"{gene.Gene.Description}: {scope}, used by {string.Join(", ", gene.Methods)} "
            + $"(default [{Number(gene.Gene.Low)}, {Number(gene.Gene.High)}]{bounds}).";
    }

    /// <summary>The domain as JSON Schema bounds on each end of a range (<c>minimum</c> or <c>exclusiveMinimum</c>, <c>maximum</c>); null when unbounded.</summary>
    private static JsonObject? DomainKeywords(ParameterDomain domain)
    {
        if (domain.IsUnbounded) return null;
        var items = new JsonObject { ["type"] = "number" };
        if (domain.Minimum is { } min) items[domain.MinimumExclusive ? "exclusiveMinimum" : "minimum"] = min;
        if (domain.Maximum is { } max) items["maximum"] = max;
        return items;
    }

    private static string Number(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
