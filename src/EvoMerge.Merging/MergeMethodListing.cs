using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace EvoMerge.Merging;

/// <summary>
/// Every method of a registry with what it declares: parameters (scope, kind, default, required, search gene and its
/// range), base-model rule, model count, randomness, magnitude order, proxy activations and search support. One
/// source for <c>evomerge methods</c> (text and <c>--json</c>) and the methods table in docs/merge-semantics.md.
/// </summary>
public static class MergeMethodListing
{
    /// <summary>The listing as JSON: <c>{"methods": [{"name", "base_model", "models", …, "parameters": […]}]}</c>.</summary>
    public static JsonObject ToJson(MergeMethodRegistry registry)
    {
        var methods = new JsonArray();
        foreach (var method in registry.Methods)
        {
            var parameters = new JsonArray();
            foreach (var p in method.Parameters)
            {
                parameters.Add(new JsonObject
                {
                    ["name"] = p.Name,
                    ["scope"] = ScopeName(p.Scope),
                    ["kind"] = p.Kind == ParameterKind.Number ? "number" : "boolean",
                    ["default"] = DefaultNode(p),
                    ["required"] = p.Required,
                    ["minimum"] = p.Domain.Minimum,
                    ["minimum_exclusive"] = p.Domain.MinimumExclusive,
                    ["maximum"] = p.Domain.Maximum,
                    ["gene"] = p.Gene is { } g
                        ? new JsonObject
                        {
                            ["low"] = g.Low,
                            ["high"] = g.High,
                            ["minimum"] = g.Domain.Minimum,
                            ["minimum_exclusive"] = g.Domain.MinimumExclusive,
                            ["maximum"] = g.Domain.Maximum,
                            ["description"] = g.Description,
                        }
                        : null,
                });
            }
            methods.Add(new JsonObject
            {
                ["name"] = method.Name,
                ["base_model"] = method.BaseModel.ToString().ToLowerInvariant(),
                ["models"] = new JsonObject { ["min"] = method.ModelCount.Min, ["max"] = method.ModelCount.Max },
                ["uses_randomness"] = method.UsesRandomness,
                ["takes_magnitude_order"] = method.TakesMagnitudeOrder,
                ["needs_proxy_activations"] = method.NeedsProxyActivations,
                ["search"] = method.Search is { } s
                    ? new JsonObject
                    {
                        ["inputs"] = InputsName(s.Inputs),
                        ["min_sources"] = s.MinSources,
                        ["max_sources"] = s.MaxSources,
                    }
                    : null,
                ["parameters"] = parameters,
            });
        }
        return new JsonObject { ["methods"] = methods };
    }

    /// <summary>Plain text: a line per method (base rule, model count, search support, needs), then a line per parameter.</summary>
    public static string ToText(MergeMethodRegistry registry)
    {
        var text = new StringBuilder();
        foreach (var method in registry.Methods)
        {
            var notes = new List<string>
            {
                $"base model {method.BaseModel.ToString().ToLowerInvariant()}",
                $"models {ModelCountText(method.ModelCount)}",
                method.Search is { } s
                    ? $"searchable ({InputsName(s.Inputs).Replace('_', ' ')}, {ModelCountText((s.MinSources, s.MaxSources))} sources)"
                    : "not searchable",
            };
            if (method.UsesRandomness) notes.Add("random");
            if (method.TakesMagnitudeOrder) notes.Add("takes a magnitude order");
            if (method.NeedsProxyActivations) notes.Add("needs proxy_tasks");
            text.Append($"{method.Name}: {string.Join(", ", notes)}\n");
            foreach (var p in method.Parameters)
            {
                string value = p.Required ? "required" : p.Default is null ? "no default" : "default " + DefaultText(p);
                string gene = (p.Domain.IsUnbounded ? "" : $"  in {p.Domain}") + (p.Gene is { } g ? $"  gene [{Number(g.Low)}, {Number(g.High)}]" : "");
                text.Append($"  {p.Name,-26} {ScopeName(p.Scope),-9} {(p.Kind == ParameterKind.Number ? "number" : "boolean"),-7} {value}{gene}\n");
            }
        }
        return text.ToString();
    }

    /// <summary>A Markdown table, one row per method (what docs/merge-semantics.md embeds).</summary>
    public static string ToMarkdown(MergeMethodRegistry registry)
    {
        var text = new StringBuilder();
        text.Append("| method | base model | models | global parameters | per-model parameters | search genes |\n");
        text.Append("|---|---|---|---|---|---|\n");
        foreach (var method in registry.Methods)
        {
            string Parameters(ParameterScope scope) =>
                string.Join(", ", method.Parameters.Where(p => p.Scope == scope).Select(ParameterText)) is { Length: > 0 } list ? list : "—";
            var genes = method.Search is null
                ? "not searchable"
                : string.Join(", ", method.Parameters.Where(p => p.Gene is not null).Select(p => $"`{p.Name}` [{Number(p.Gene!.Low)}, {Number(p.Gene.High)}]")) is { Length: > 0 } list
                    ? list
                    : "none";
            var notes = new List<string>();
            if (method.UsesRandomness) notes.Add("random");
            if (method.NeedsProxyActivations) notes.Add("needs proxy_tasks");
            string name = notes.Count == 0 ? $"`{method.Name}`" : $"`{method.Name}` ({string.Join(", ", notes)})";
            text.Append($"| {name} | {method.BaseModel.ToString().ToLowerInvariant()} | {ModelCountText(method.ModelCount)} | "
                + $"{Parameters(ParameterScope.Global)} | {Parameters(ParameterScope.PerModel)} | {genes} |\n");
        }
        return text.ToString();
    }

    /// <summary>"name = default", "name (required)" or "name (no default)", then " in DOMAIN" when the domain is bounded.</summary>
    public static string ParameterText(MergeParameter p) =>
        (p.Required ? $"`{p.Name}` (required)"
        : p.Default is null ? $"`{p.Name}` (no default)"
        : $"`{p.Name}` = {DefaultText(p)}") + (p.Domain.IsUnbounded ? "" : $" in {p.Domain}");

    /// <summary>"1", "2 to 5" or "1 or more" (non-base models).</summary>
    public static string ModelCountText((int Min, int? Max) count) => count switch
    {
        (var min, null) => $"{min} or more",
        (var min, { } max) when min == max => $"{min}",
        (var min, { } max) => $"{min} to {max}",
    };

    /// <summary>"per_model" or "global".</summary>
    public static string ScopeName(ParameterScope scope) => scope == ParameterScope.PerModel ? "per_model" : "global";

    /// <summary>"base_and_sources", "sources_only" or "first_source_as_base".</summary>
    public static string InputsName(SearchInputs inputs) => inputs switch
    {
        SearchInputs.SourcesOnly => "sources_only",
        SearchInputs.FirstSourceAsBase => "first_source_as_base",
        _ => "base_and_sources",
    };

    /// <summary>The default as written in a recipe ("true", "0.5"), or "" when there is none.</summary>
    public static string DefaultText(MergeParameter p) => p.Default switch
    {
        null => "",
        { } d when p.Kind == ParameterKind.Boolean => d != 0 ? "true" : "false",
        { } d => Number(d),
    };

    private static JsonNode? DefaultNode(MergeParameter p) => p.Default switch
    {
        null => null,
        { } d when p.Kind == ParameterKind.Boolean => JsonValue.Create(d != 0),
        { } d => JsonValue.Create(d),
    };

    private static string Number(double x) => x.ToString("R", CultureInfo.InvariantCulture);
}
