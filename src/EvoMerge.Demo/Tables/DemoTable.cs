using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EvoMerge.Demo.Tables;

/// <summary>
/// The table <c>evomerge demo</c> prints and writes (<c>demo-table.md</c>, <c>demo-table.json</c>): every row scored
/// on the test splits, and compared document by document with <see cref="Reference"/>, the source with the best dev average.
/// </summary>
public sealed record DemoTable(IReadOnlyList<string> Columns, IReadOnlyList<DemoTableRow> Rows, IReadOnlyDictionary<string, string> Facts)
{
    /// <summary>The row every other is compared with: the source with the best dev average (chosen without the test splits).</summary>
    public DemoTableRow Reference => Rows.Where(r => r.Kind == "source").MaxBy(r => r.DevAverage) ?? Rows[0];

    /// <summary>Markdown file name in the run directory.</summary>
    public const string MarkdownFileName = "demo-table.md";

    /// <summary>JSON file name in the run directory.</summary>
    public const string JsonFileName = "demo-table.json";

    /// <summary>The table as Markdown: values in %, "value ± standard error".</summary>
    public string ToMarkdown()
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var reference = Reference;
        text.Append("| model | chosen by | dev average | " + string.Join(" | ", Columns) + $" | **average** | vs {reference.Model} (paired) |\n");
        text.Append("|---|---|---:|" + string.Concat(Columns.Select(_ => "---:|")) + "---:|---:|\n");
        foreach (var row in Rows)
        {
            text.Append(inv, $"| {row.Model} | {row.Note} | {row.DevAverage * 100:0.0} | ");
            text.Append(string.Join(" | ", row.Test.Select(t => string.Create(inv, $"{t.Value * 100:0.0} ± {t.StandardError * 100:0.0}"))));
            text.Append(inv, $" | **{row.Average * 100:0.0} ± {row.AverageStandardError * 100:0.0}** | ");
            var (difference, error) = row.Versus(reference);
            text.Append(ReferenceEquals(row, reference) ? "" : string.Create(inv, $"{difference * 100:+0.0;-0.0;0.0} ± {error * 100:0.0}"));
            text.Append(" |\n");
        }
        return text.ToString();
    }

    /// <summary>The table as JSON (fractions, not %), with the run's facts.</summary>
    public string ToJson()
    {
        var rows = new JsonArray();
        var reference = Reference;
        foreach (var row in Rows)
        {
            var (difference, error) = row.Versus(reference);
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
                ["versus_reference"] = new JsonObject { ["difference"] = difference, ["paired_stderr"] = error },
            });
        }
        var facts = new JsonObject();
        foreach (var (key, value) in Facts) facts[key] = value;
        return new JsonObject { ["facts"] = facts, ["reference"] = reference.Model, ["columns"] = new JsonArray([.. Columns.Select(c => (JsonNode)c)]), ["rows"] = rows }
            .ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }
}
