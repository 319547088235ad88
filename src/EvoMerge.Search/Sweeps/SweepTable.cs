using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EvoMerge.Search.Sweeps;

/// <summary>
/// What <c>evomerge sweep</c> writes (<c>sweep-table.md</c>, <c>sweep-table.json</c>): every point evaluated, in plan
/// order (grid, path, greedy-soup ingredients and tries), with its objectives on the dev tasks and its dev score; the
/// best grid and path points marked; and the greedy soup. Nothing in it depends on timing or on what came from a cache,
/// so a sweep resumed after a kill writes the same table as an uninterrupted one.
/// </summary>
/// <param name="Objectives">The objective names (columns).</param>
/// <param name="Points">The points, in plan order.</param>
/// <param name="Results">Each point's result, in the same order.</param>
/// <param name="Soup">The greedy soup, or null when the sweep cooks none.</param>
/// <param name="SourceNames">The source models' names (for the soup).</param>
public sealed record SweepTable(IReadOnlyList<string> Objectives, IReadOnlyList<SweepPoint> Points, IReadOnlyList<SweepResult> Results,
    GreedySoupResult? Soup, IReadOnlyList<string> SourceNames)
{
    /// <summary>Markdown file name in the run directory.</summary>
    public const string MarkdownFileName = "sweep-table.md";

    /// <summary>JSON file name in the run directory.</summary>
    public const string JsonFileName = "sweep-table.json";

    /// <summary>The best point of <paramref name="family"/> by dev score (first on ties), or null.</summary>
    public SweepResult? Best(string family) =>
        Results.Where(r => r.Family == family && double.IsFinite(r.Score)).Aggregate((SweepResult?)null, (best, r) => best is null || r.Score > best.Score ? r : best);

    /// <summary>The greedy soup's members by name (null without a soup).</summary>
    public IReadOnlyList<string>? SoupMembers => Soup?.Soup.Select(i => SourceNames[i]).ToArray();

    /// <summary>The table as Markdown (values as measured, 4 decimals).</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("| family | merge | " + string.Join(" | ", Objectives) + " | dev score | note |\n");
        text.Append("|---|---|" + string.Concat(Objectives.Select(_ => "---:|")) + "---:|---|\n");
        for (int i = 0; i < Results.Count; i++)
        {
            var r = Results[i];
            text.Append($"| {r.Family} | {r.Label} | " + string.Join(" | ", r.Objectives.Select(Value)) + $" | {Value(r.Score)} | {Note(i)} |\n");
        }
        if (Soup is { } soup)
            text.Append("| greedy soup | {" + string.Join(", ", SoupMembers!) + "} | " + string.Join(" | ", Objectives.Select(_ => ""))).Append(CultureInfo.InvariantCulture,
                $" | {Value(soup.Score)} | kept {soup.Soup.Count} of {SourceNames.Count} (tried in dev-score order: {string.Join(", ", soup.Order.Select(o => SourceNames[o]))}) |\n");
        return text.ToString();
    }

    /// <summary>The table as JSON (non-finite values as null).</summary>
    public string ToJson()
    {
        var rows = new JsonArray();
        for (int i = 0; i < Results.Count; i++)
        {
            var r = Results[i];
            var objectives = new JsonObject();
            for (int j = 0; j < Objectives.Count; j++) objectives[Objectives[j]] = Number(r.Objectives[j]);
            rows.Add(new JsonObject
            {
                ["family"] = r.Family,
                ["label"] = r.Label,
                ["method"] = Points[i].Method,
                ["recipe_hash"] = r.Hash,
                ["objectives"] = objectives,
                ["dev_score"] = Number(r.Score),
                ["note"] = Note(i),
                ["reason"] = r.Reason,
            });
        }
        var root = new JsonObject { ["objectives"] = new JsonArray([.. Objectives.Select(o => (JsonNode)o)]), ["rows"] = rows };
        if (Best(SweepPlan.GridFamily) is { } grid) root["best_grid"] = grid.Label;
        if (Best(SweepPlan.PathFamily) is { } path) root["best_path"] = path.Label;
        if (Soup is { } soup)
        {
            root["greedy_soup"] = new JsonObject
            {
                ["rule"] = "Wortsman et al. 2022, Recipe 1: ingredients sorted by dev score; each kept iff the soup's dev score with it is >= without",
                ["order"] = new JsonArray([.. soup.Order.Select(o => (JsonNode)SourceNames[o])]),
                ["soup"] = new JsonArray([.. SoupMembers!.Select(m => (JsonNode)m)]),
                ["dev_score"] = Number(soup.Score),
            };
        }
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>The note of row <paramref name="i"/> (the best grid and path points, each ingredient's rank, each soup try kept or not, a failure).</summary>
    public string Note(int i)
    {
        var r = Results[i];
        if (r.Reason is { } reason) return "failed: " + reason.Replace('|', '/');
        if (r.Family is SweepPlan.GridFamily or SweepPlan.PathFamily) return ReferenceEquals(Best(r.Family), r) ? "best on dev" : "";
        if (Soup is null) return "";
        if (r.Family == SweepPlan.IngredientFamily)
        {
            int rank = Soup.Order.Select(o => SourceNames[o]).ToList().IndexOf(r.Label);
            return rank < 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"ingredient {rank + 1} by dev score");
        }
        var step = Soup.Steps.FirstOrDefault(s => SweepPlan.Soup(s.Tried, SourceNames).Label == r.Label);
        return step is null ? "" : step.Kept ? $"{SourceNames[step.Ingredient]} kept (≥ soup so far)" : $"{SourceNames[step.Ingredient]} not kept (< soup so far)";
    }

    private static string Value(double value) => double.IsFinite(value) ? value.ToString("0.0000", CultureInfo.InvariantCulture) : "—";

    private static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;
}
