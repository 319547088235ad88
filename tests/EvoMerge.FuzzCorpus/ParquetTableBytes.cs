using Parquet;
using Parquet.Schema;

namespace EvoMerge.FuzzCorpus;

/// <summary>
/// A small Parquet file in memory, written with Parquet.Net's low-level writer: columns of <c>string?[]</c>,
/// <c>long[]</c>, <c>double[]</c> or <c>string[][]</c> (a <c>list&lt;string&gt;</c> column, no empty lists).
/// </summary>
public static class ParquetTableBytes
{
    public static byte[] Write(IReadOnlyList<(string Name, object Values)> columns, int rowGroupSize = int.MaxValue) =>
        WriteAsync(columns, rowGroupSize).GetAwaiter().GetResult();

    private static async Task<byte[]> WriteAsync(IReadOnlyList<(string Name, object Values)> columns, int rowGroupSize)
    {
        var schema = new ParquetSchema(columns.Select(c => FieldFor(c.Name, c.Values)).ToArray());
        int rows = ((Array)columns[0].Values).Length;
        using var stream = new MemoryStream();
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream).ConfigureAwait(false))
        {
            var fields = schema.GetDataFields();
            for (int start = 0; start < rows; start += rowGroupSize)
            {
                int count = Math.Min(rowGroupSize, rows - start);
                using var group = writer.CreateRowGroup();
                for (int c = 0; c < columns.Count; c++)
                {
                    switch (columns[c].Values)
                    {
                        case string?[] strings:
                            await group.WriteAsync(fields[c], strings.Skip(start).Take(count).ToArray(), null).ConfigureAwait(false);
                            break;
                        case long[] longs:
                            await group.WriteAsync<long>(fields[c], longs.AsMemory(start, count)).ConfigureAwait(false);
                            break;
                        case double[] doubles:
                            await group.WriteAsync<double>(fields[c], doubles.AsMemory(start, count)).ConfigureAwait(false);
                            break;
                        case string[][] lists:
                            var slice = lists.Skip(start).Take(count).ToArray();
                            await group.WriteAsync(fields[c], slice.SelectMany(l => l).ToArray(),
                                slice.SelectMany(l => l.Select((_, i) => i == 0 ? 0 : 1)).ToArray()).ConfigureAwait(false);
                            break;
                        default:
                            throw new ArgumentException($"unsupported column values {columns[c].Values.GetType()}");
                    }
                }
            }
        }
        return stream.ToArray();
    }

    private static Field FieldFor(string name, object values) => values switch
    {
        string?[] => new DataField<string>(name),
        long[] => new DataField<long>(name),
        double[] => new DataField<double>(name),
        string[][] => new ListField(name, new DataField<string>("element")),
        _ => throw new ArgumentException($"unsupported column values {values.GetType()}"),
    };
}
