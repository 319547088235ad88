using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EvoMerge.Cli;

/// <summary>One model's row of the demo table: how it was chosen on dev and its held-out test scores.</summary>
/// <param name="Model">Label (e.g. <c>addition</c>, <c>ties w=1.0 d=0.5</c>, <c>evolved #3</c>).</param>
/// <param name="Kind">base, source, task_arithmetic, ties, evolved or upper bound.</param>
/// <param name="Note">How the row was chosen (empty for fixed models).</param>
/// <param name="DevAverage">Mean of the same columns on the dev splits (what selection used).</param>
/// <param name="Test">Per column: value and standard error on the test split.</param>
/// <param name="Average">Mean over the columns.</param>
/// <param name="AverageStandardError">√(Σ SEᵢ²) / columns (columns treated as independent samples).</param>
public sealed record DemoTableRow(string Model, string Kind, string Note, double DevAverage, IReadOnlyList<(double Value, double StandardError, int Count)> Test,
    double Average, double AverageStandardError);

/// <summary>The table <c>evomerge demo</c> prints and writes (<c>demo-table.md</c>, <c>demo-table.json</c>): every row scored on the test splits.</summary>
public sealed record DemoTable(IReadOnlyList<string> Columns, IReadOnlyList<DemoTableRow> Rows, IReadOnlyDictionary<string, string> Facts)
{
    /// <summary>Markdown file name in the run directory.</summary>
    public const string MarkdownFileName = "demo-table.md";

    /// <summary>JSON file name in the run directory.</summary>
    public const string JsonFileName = "demo-table.json";

    /// <summary>The table as Markdown: values in %, "value ± standard error".</summary>
    public string ToMarkdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append("| model | chosen by | dev average | " + string.Join(" | ", Columns) + " | **average** |\n");
        text.Append("|---|---|---:|" + string.Concat(Columns.Select(_ => "---:|")) + "---:|\n");
        foreach (var row in Rows)
        {
            text.Append(inv, $"| {row.Model} | {row.Note} | {row.DevAverage * 100:0.0} | ");
            text.Append(string.Join(" | ", row.Test.Select(t => string.Create(inv, $"{t.Value * 100:0.0} ± {t.StandardError * 100:0.0}"))));
            text.Append(inv, $" | **{row.Average * 100:0.0} ± {row.AverageStandardError * 100:0.0}** |\n");
        }
        return text.ToString();
    }

    /// <summary>The table as JSON (fractions, not %), with the run's facts.</summary>
    public string ToJson()
    {
        var rows = new JsonArray();
        foreach (var row in Rows)
        {
            var test = new JsonObject();
            for (int c = 0; c < Columns.Count; c++)
                test[Columns[c]] = new JsonObject { ["value"] = row.Test[c].Value, ["stderr"] = row.Test[c].StandardError, ["n"] = row.Test[c].Count };
            rows.Add(new JsonObject
            {
                ["model"] = row.Model,
                ["kind"] = row.Kind,
                ["chosen_by"] = row.Note,
                ["dev_average"] = row.DevAverage,
                ["test"] = test,
                ["average"] = row.Average,
                ["average_stderr"] = row.AverageStandardError,
            });
        }
        var facts = new JsonObject();
        foreach (var (key, value) in Facts) facts[key] = value;
        return new JsonObject { ["facts"] = facts, ["columns"] = new JsonArray([.. Columns.Select(c => (JsonNode)c)]), ["rows"] = rows }
            .ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
