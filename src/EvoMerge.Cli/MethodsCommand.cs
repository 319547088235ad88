using System.CommandLine;
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
            else Console.Out.Write(MergeMethodListing.ToText(registry));
            return 0;
        });
        return command;
    }
}
