using EvoMerge.Tensors;
using Parquet;
using Parquet.Schema;

namespace EvoMerge.Search.Sweeps;

/// <summary>
/// <c>sweep-table.parquet</c>: the sweep table's rows (<see cref="SweepTable"/>, plan order) as one Parquet row group,
/// written atomically (temp file, fsync, rename). Columns: <c>family</c>, <c>label</c>, <c>method</c>,
/// <c>recipe_hash</c>, one <c>objective.NAME</c> per objective (config order), <c>dev_score</c> (NaN where a value
/// is missing: a failed point), <c>note</c> (as in the Markdown table), <c>reason</c> (why the point failed; empty
/// when it did not) and <c>in_greedy_soup</c> (true on the ingredient rows of the sources the greedy soup kept).
/// </summary>
public static class SweepTableParquet
{
    /// <summary>File name in the run directory.</summary>
    public const string FileName = "sweep-table.parquet";

    /// <summary>The schema for <paramref name="objectives"/>.</summary>
    public static ParquetSchema Schema(IReadOnlyList<string> objectives)
    {
        var fields = new List<Field> { Text("family"), Text("label"), Text("method"), Text("recipe_hash") };
        fields.AddRange(objectives.Select(o => new DataField<double>("objective." + o)));
        fields.AddRange([new DataField<double>("dev_score"), Text("note"), Text("reason"), new DataField<bool>("in_greedy_soup")]);
        return new ParquetSchema(fields);
    }

    /// <summary>Writes <paramref name="table"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(SweepTable table, string path)
    {
        var schema = Schema(table.Objectives);
        var members = table.SoupMembers?.ToHashSet(StringComparer.Ordinal) ?? [];
        AtomicFile.Write(path, stream => WriteAsync(schema, table, members, stream).GetAwaiter().GetResult());
    }

    private static async Task WriteAsync(ParquetSchema schema, SweepTable table, HashSet<string> members, Stream stream)
    {
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        using var group = writer.CreateRowGroup();
        var fields = schema.GetDataFields();
        int f = 0;
        var rows = Enumerable.Range(0, table.Results.Count).ToArray();
        async Task Strings(Func<int, string> value) => await group.WriteAsync(fields[f++], rows.Select(value).ToArray());
        async Task Values<T>(Func<int, T> value) where T : struct => await group.WriteAsync<T>(fields[f++], rows.Select(value).ToArray().AsMemory());
        await Strings(i => table.Results[i].Family);
        await Strings(i => table.Results[i].Label);
        await Strings(i => table.Points[i].Method);
        await Strings(i => table.Results[i].Hash);
        for (int o = 0; o < table.Objectives.Count; o++)
        {
            int at = o;
            await Values(i => table.Results[i].Objectives[at]);
        }
        await Values(i => table.Results[i].Score);
        await Strings(table.Note);
        await Strings(i => table.Results[i].Reason ?? "");
        await Values(i => table.Results[i].Family == SweepPlan.IngredientFamily && members.Contains(table.Results[i].Label));
    }

    private static DataField<string> Text(string name) => new(name, false);
}
