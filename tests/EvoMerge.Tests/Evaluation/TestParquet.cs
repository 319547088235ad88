using Parquet;
using Parquet.Schema;

namespace EvoMerge.Tests.Evaluation;

/// <summary>
/// Writes small Parquet files with Parquet.Net's low-level writer. Column values are <c>string?[]</c>,
/// <c>long[]</c>, <c>int[]</c>, <c>double[]</c> or <c>string[][]</c> (a <c>list&lt;string&gt;</c> column).
/// </summary>
public static class TestParquet
{
    public static void Write(string path, IReadOnlyList<(string Name, object Values)> columns, int rowGroupSize = int.MaxValue) =>
        WriteAsync(path, columns, rowGroupSize).GetAwaiter().GetResult();

    public static async Task WriteAsync(string path, IReadOnlyList<(string Name, object Values)> columns, int rowGroupSize = int.MaxValue)
    {
        var fields = columns.Select(c => FieldFor(c.Name, c.Values)).ToArray();
        int rows = columns.Count == 0 ? 0 : RowCount(columns[0].Values);
        var schema = new ParquetSchema(fields);
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        var dataFields = schema.GetDataFields();
        for (int start = 0; start < Math.Max(rows, 1); start += rowGroupSize)
        {
            int count = Math.Min(rowGroupSize, rows - start);
            using var group = writer.CreateRowGroup();
            for (int c = 0; c < columns.Count; c++)
            {
                var field = dataFields[c];
                switch (columns[c].Values)
                {
                    case string?[] strings:
                        await group.WriteAsync(field, strings.Skip(start).Take(count).ToArray(), null);
                        break;
                    case long[] longs:
                        await group.WriteAsync<long>(field, longs.AsMemory(start, count));
                        break;
                    case int[] ints:
                        await group.WriteAsync<int>(field, ints.AsMemory(start, count));
                        break;
                    case double[] doubles:
                        await group.WriteAsync<double>(field, doubles.AsMemory(start, count));
                        break;
                    case string[][] lists:
                        var slice = lists.Skip(start).Take(count).ToArray();
                        if (slice.Any(l => l.Length == 0)) throw new ArgumentException("empty lists are not supported by this writer");
                        await group.WriteAsync(field, slice.SelectMany(l => l).ToArray(), slice.SelectMany(l => l.Select((_, i) => i == 0 ? 0 : 1)).ToArray());
                        break;
                    default:
                        throw new ArgumentException($"unsupported column values {columns[c].Values.GetType()}");
                }
            }
            if (rows == 0) break;
        }
    }

    private static Field FieldFor(string name, object values) => values switch
    {
        string?[] => new DataField<string>(name),
        long[] => new DataField<long>(name),
        int[] => new DataField<int>(name),
        double[] => new DataField<double>(name),
        string[][] => new ListField(name, new DataField<string>("element")),
        _ => throw new ArgumentException($"unsupported column values {values.GetType()}"),
    };

    private static int RowCount(object values) => values switch
    {
        Array array => array.Length,
        _ => throw new ArgumentException($"unsupported column values {values.GetType()}"),
    };
}
