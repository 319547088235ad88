using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using EvoMerge.Merging;
using EvoMerge.Search.Configuration;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge methods [--json | --markdown | --schema]</c>: every registered merge method with its parameters and
/// search genes, read from the methods' declarations (also the generator of the committed schema and docs table).
/// </summary>
public static class MethodsCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON." };
        var markdown = new Option<bool>("--markdown") { Description = "Print the Markdown methods table of docs/merge-semantics.md." };
        var schema = new Option<bool>("--schema") { Description = "Print search-space.schema.json as generated from the methods' declarations." };
        var command = new Command("methods", "List every merge method with its parameters (scope, kind, default) and search genes (range).")
            { json, markdown, schema };
        command.SetAction(parse =>
        {
            var registry = MergeMethodRegistry.Default;
            if (parse.GetValue(schema)) Console.Out.Write(SearchSpaceSchema.Text(registry));
            else if (parse.GetValue(markdown)) Console.Out.Write(MergeMethodListing.ToMarkdown(registry));
            else if (parse.GetValue(json)) Console.Out.WriteLine(MergeMethodListing.ToJson(registry).ToJsonString(Indented));
            else WriteText(registry);
            return 0;
        });
        return command;
    }

    private static void WriteText(MergeMethodRegistry registry)
    {
        foreach (var method in registry.Methods)
        {
            string search = method.Search is { } s
                ? $"searchable ({MergeMethodListing.InputsName(s.Inputs).Replace('_', ' ')}, {s.MinSources}{(s.MaxSources is { } max ? (max == s.MinSources ? "" : $" to {max}") : " or more")} sources)"
                : "not searchable";
            var notes = new List<string>
            {
                $"base model {method.BaseModel.ToString().ToLowerInvariant()}",
                $"models {MergeMethodListing.ModelCountText(method.ModelCount)}",
                search,
            };
            if (method.UsesRandomness) notes.Add("random");
            if (method.TakesMagnitudeOrder) notes.Add("takes a magnitude order");
            if (method.NeedsProxyActivations) notes.Add("needs proxy_tasks");
            Console.WriteLine($"{method.Name}: {string.Join(", ", notes)}");
            foreach (var p in method.Parameters)
            {
                string value = p.Required ? "required" : p.Default is null ? "no default" : "default " + MergeMethodListing.DefaultText(p);
                string gene = p.Gene is { } g ? string.Create(CultureInfo.InvariantCulture, $"  gene [{g.Low}, {g.High}]") : "";
                Console.WriteLine($"  {p.Name,-26} {MergeMethodListing.ScopeName(p.Scope),-9} {(p.Kind == ParameterKind.Number ? "number" : "boolean"),-7} {value}{gene}");
            }
        }
    }
}
