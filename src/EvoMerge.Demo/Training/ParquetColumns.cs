using Parquet;
using Parquet.Schema;

namespace EvoMerge.Demo.Training;

/// <summary>
/// Writes a small Parquet file in one row group with Parquet.Net's low-level writer. Column values are
/// <c>string[]</c>, <c>long[]</c> or <c>string[][]</c> (a <c>list&lt;string&gt;</c> column, no empty lists).
/// </summary>
public static class ParquetColumns
{
    /// <summary>Writes <paramref name="columns"/> (all the same length) to <paramref name="path"/>.</summary>
    public static void Write(string path, IReadOnlyList<(string Name, object Values)> columns) =>
        WriteAsync(path, columns).GetAwaiter().GetResult();

    private static async Task WriteAsync(string path, IReadOnlyList<(string Name, object Values)> columns)
    {
        var schema = new ParquetSchema(columns.Select(c => FieldFor(c.Name, c.Values)).ToArray());
        var dataFields = schema.GetDataFields();
        await using (var stream = File.Create(path + ".tmp"))
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream))
        {
            using var group = writer.CreateRowGroup();
            for (int c = 0; c < columns.Count; c++)
            {
                switch (columns[c].Values)
                {
                    case string[] strings:
                        await group.WriteAsync(dataFields[c], strings.Select(s => (string?)s).ToArray(), null);
                        break;
                    case long[] longs:
                        await group.WriteAsync<long>(dataFields[c], longs.AsMemory());
                        break;
                    case string[][] lists:
                        if (lists.Any(l => l.Length == 0)) throw new ArgumentException($"column '{columns[c].Name}': empty lists are not supported");
                        await group.WriteAsync(dataFields[c], lists.SelectMany(l => l).Select(s => (string?)s).ToArray(),
                            lists.SelectMany(l => l.Select((_, i) => i == 0 ? 0 : 1)).ToArray());
                        break;
                    default:
                        throw new ArgumentException($"column '{columns[c].Name}': unsupported values {columns[c].Values.GetType()}");
                }
            }
        }
        File.Move(path + ".tmp", path, overwrite: true);
    }

    private static Field FieldFor(string name, object values) => values switch
    {
        string[] => new DataField<string>(name),
        long[] => new DataField<long>(name),
        string[][] => new ListField(name, new DataField<string>("element")),
        _ => throw new ArgumentException($"column '{name}': unsupported values {values.GetType()}"),
    };
}
