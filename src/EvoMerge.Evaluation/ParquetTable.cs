using Parquet;
using Parquet.Schema;

namespace EvoMerge.Evaluation;

/// <summary>
/// The columns a task needs from one Parquet file, read into memory and checked: every column exists, has the
/// required type and holds no nulls, and the file has at least one row. <c>list&lt;string&gt;</c> columns are read
/// through <c>ReadRawAsync</c> with definition and repetition levels (Parquet.Net 6.1.0's <c>ReadAsync</c> throws
/// on them). The file is opened through <see cref="SafeParquetReader"/>; problems, corrupt bytes included, raise
/// <see cref="EvalTaskFormatException"/> naming the file and the column.
/// </summary>
public sealed class ParquetTable
{
    private static readonly Type[] IntegerTypes = [typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong)];

    private readonly Dictionary<string, string[]> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]> _integers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string[][]> _lists = new(StringComparer.Ordinal);

    private ParquetTable(string file, int rowCount)
    {
        File = file;
        RowCount = rowCount;
    }

    /// <summary>The Parquet file.</summary>
    public string File { get; }

    /// <summary>Rows in the file (at least one).</summary>
    public int RowCount { get; }

    /// <summary>Reads <paramref name="columns"/> of <paramref name="path"/>.</summary>
    public static async Task<ParquetTable> ReadAsync(string path, IReadOnlyList<ParquetColumnRequirement> columns, CancellationToken cancellation = default)
    {
        ParquetReader reader;
        try
        {
            reader = await SafeParquetReader.OpenAsync(path, cancellation).ConfigureAwait(false);
        }
        catch (CorruptParquetException e)
        {
            throw new EvalTaskFormatException(path, null, null, e.Problem);
        }
        await using (reader.ConfigureAwait(false))
        {
            long rows = reader.RowGroups.Sum(g => g.RowCount);
            if (rows == 0) throw new EvalTaskFormatException(path, null, null, "has 0 rows");
            if (rows > int.MaxValue) throw new EvalTaskFormatException(path, null, null, $"has {rows} rows (at most {int.MaxValue} are supported)");
            var table = new ParquetTable(path, (int)rows);
            foreach (var column in columns.DistinctBy(c => (c.Name, c.Type)))
                await table.ReadColumnAsync(reader, column, cancellation).ConfigureAwait(false);
            return table;
        }
    }

    /// <summary>A string column's value, or an integer column's value as invariant text.</summary>
    public string Text(string column, int row) =>
        _strings.TryGetValue(column, out var strings) ? strings[row]
        : _integers.TryGetValue(column, out var integers) ? integers[row].ToString(System.Globalization.CultureInfo.InvariantCulture)
        : throw new KeyNotFoundException($"column '{column}' was not read as text");

    /// <summary>An integer column's value.</summary>
    public long Integer(string column, int row) => _integers[column][row];

    /// <summary>A list&lt;string&gt; column's value.</summary>
    public IReadOnlyList<string> StringList(string column, int row) => _lists[column][row];

    private async Task ReadColumnAsync(ParquetReader reader, ParquetColumnRequirement column, CancellationToken cancellation)
    {
        var field = reader.Schema.Fields.FirstOrDefault(f => f.Name == column.Name)
            ?? throw ColumnError(column, $"is missing (the file has columns: {string.Join(", ", reader.Schema.Fields.Select(f => f.Name))})");
        var (leaf, type) = Classify(field);
        bool fits = column.Type switch
        {
            ParquetColumnType.String => type == ParquetColumnType.String,
            ParquetColumnType.Integer => type == ParquetColumnType.Integer,
            ParquetColumnType.Text => type is ParquetColumnType.String or ParquetColumnType.Integer,
            _ => type == ParquetColumnType.StringList,
        };
        if (!fits || leaf is null) throw ColumnError(column, $"has type {Describe(field)} but {column.NamedBy} needs {Describe(column.Type)}");

        try
        {
            switch (type)
            {
                case ParquetColumnType.String:
                    if (!_strings.ContainsKey(column.Name)) _strings[column.Name] = await ReadStringsAsync(reader, leaf, column, cancellation).ConfigureAwait(false);
                    break;
                case ParquetColumnType.Integer:
                    if (!_integers.ContainsKey(column.Name)) _integers[column.Name] = await ReadIntegersAsync(reader, leaf, column, cancellation).ConfigureAwait(false);
                    break;
                default:
                    if (!_lists.ContainsKey(column.Name)) _lists[column.Name] = await ReadStringListsAsync(reader, leaf, column, cancellation).ConfigureAwait(false);
                    break;
            }
        }
        catch (Exception e) when (SafeParquetReader.IsCorruption(e))
        {
            throw ColumnError(column, SafeParquetReader.Corrupt(File, column.Name, e).Problem);
        }
    }

    /// <summary>The data field holding a top-level column's values and what the column is; (null, Text) for anything unsupported.</summary>
    private static (DataField? Leaf, ParquetColumnType Type) Classify(Field field) => field switch
    {
        ListField { Item: DataField item } when IsString(item) && !item.IsArray => (item, ParquetColumnType.StringList),
        DataField { IsArray: true } data when IsString(data) => (data, ParquetColumnType.StringList),
        DataField { IsArray: false } data when IsString(data) => (data, ParquetColumnType.String),
        DataField { IsArray: false } data when IntegerTypes.Contains(data.ClrType) => (data, ParquetColumnType.Integer),
        _ => (null, ParquetColumnType.Text),
    };

    private static bool IsString(DataField field) => field.ClrType == typeof(string) || field.ClrType == typeof(ReadOnlyMemory<char>);

    private async Task<string[]> ReadStringsAsync(ParquetReader reader, DataField field, ParquetColumnRequirement column, CancellationToken cancellation)
    {
        var values = new string[RowCount];
        int offset = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var buffer = new string?[group.RowCount];
            await group.ReadAsync(field, buffer.AsMemory(), cancellationToken: cancellation).ConfigureAwait(false);
            for (int i = 0; i < buffer.Length; i++) values[offset + i] = buffer[i] ?? throw NullError(column, offset + i);
            offset += buffer.Length;
        }
        return values;
    }

    private async Task<long[]> ReadIntegersAsync(ParquetReader reader, DataField field, ParquetColumnRequirement column, CancellationToken cancellation)
    {
        var values = new long[RowCount];
        int offset = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int count = (int)group.RowCount;
            var type = field.ClrType;
            if (type == typeof(sbyte)) await ReadIntegerGroupAsync<sbyte>(group, field, column, values, offset, count, v => v, cancellation).ConfigureAwait(false);
            else if (type == typeof(byte)) await ReadIntegerGroupAsync<byte>(group, field, column, values, offset, count, v => v, cancellation).ConfigureAwait(false);
            else if (type == typeof(short)) await ReadIntegerGroupAsync<short>(group, field, column, values, offset, count, v => v, cancellation).ConfigureAwait(false);
            else if (type == typeof(ushort)) await ReadIntegerGroupAsync<ushort>(group, field, column, values, offset, count, v => v, cancellation).ConfigureAwait(false);
            else if (type == typeof(int)) await ReadIntegerGroupAsync<int>(group, field, column, values, offset, count, v => v, cancellation).ConfigureAwait(false);
            else if (type == typeof(uint)) await ReadIntegerGroupAsync<uint>(group, field, column, values, offset, count, v => v, cancellation).ConfigureAwait(false);
            else if (type == typeof(long)) await ReadIntegerGroupAsync<long>(group, field, column, values, offset, count, v => v, cancellation).ConfigureAwait(false);
            else await ReadIntegerGroupAsync<ulong>(group, field, column, values, offset, count,
                v => v <= long.MaxValue ? (long)v : throw ColumnError(column, $"value {v} is too large"), cancellation).ConfigureAwait(false);
            offset += count;
        }
        return values;
    }

    private async Task ReadIntegerGroupAsync<T>(ParquetRowGroupReader group, DataField field, ParquetColumnRequirement column,
        long[] values, int offset, int count, Func<T, long> widen, CancellationToken cancellation) where T : struct
    {
        if (field.IsNullable)
        {
            var buffer = new T?[count];
            await group.ReadAsync(field, buffer.AsMemory(), cancellationToken: cancellation).ConfigureAwait(false);
            for (int i = 0; i < count; i++) values[offset + i] = buffer[i] is T value ? widen(value) : throw NullError(column, offset + i);
        }
        else
        {
            var buffer = new T[count];
            await group.ReadAsync(field, buffer.AsMemory(), cancellationToken: cancellation).ConfigureAwait(false);
            for (int i = 0; i < count; i++) values[offset + i] = widen(buffer[i]);
        }
    }

    /// <summary>
    /// Walks the leaf's levels: a row starts at repetition level 0; a value is present at the maximum definition
    /// level; one below it is a null element when elements are nullable; lower levels are an empty (or null) list.
    /// </summary>
    private async Task<string[][]> ReadStringListsAsync(ParquetReader reader, DataField leaf, ParquetColumnRequirement column, CancellationToken cancellation)
    {
        var rows = new List<string[]>(RowCount);
        int maxDefinition = leaf.MaxDefinitionLevel;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            long levelCount = group.GetMetadata(leaf)?.MetaData?.NumValues ?? throw ColumnError(column, "has no column chunk metadata");
            var values = new ReadOnlyMemory<char>[levelCount];
            var definitions = new int[levelCount];
            var repetitions = new int[levelCount];
            await group.ReadRawAsync<ReadOnlyMemory<char>>(leaf, values.AsMemory(), definitions.AsMemory(), repetitions.AsMemory(), cancellation).ConfigureAwait(false);
            int next = 0;
            List<string>? current = null;
            for (long i = 0; i < levelCount; i++)
            {
                if (repetitions[i] == 0)
                {
                    if (current is not null) rows.Add([.. current]);
                    current = [];
                }
                if (current is null) throw ColumnError(column, "starts with a repeated value (corrupt levels)");
                if (definitions[i] == maxDefinition) current.Add(values[next++].ToString());
                else if (leaf.IsNullable && definitions[i] == maxDefinition - 1) throw NullError(column, rows.Count, $"element {current.Count}");
            }
            if (current is not null) rows.Add([.. current]);
        }
        if (rows.Count != RowCount) throw ColumnError(column, $"holds {rows.Count} lists for {RowCount} rows");
        return [.. rows];
    }

    private EvalTaskFormatException ColumnError(ParquetColumnRequirement column, string problem) =>
        new(File, null, $"column '{column.Name}' ({column.NamedBy})", problem);

    private EvalTaskFormatException NullError(ParquetColumnRequirement column, int row, string? part = null) =>
        ColumnError(column, $"row {row}{(part is null ? "" : " " + part)} is null");

    private static string Describe(Field field) => field switch
    {
        ListField list => $"list<{(list.Item is DataField d ? Describe(d) : list.Item.SchemaType.ToString().ToLowerInvariant())}>",
        DataField { IsArray: true } data => $"list<{Describe(data)}>",
        DataField data => Describe(data),
        _ => field.SchemaType.ToString().ToLowerInvariant(),
    };

    private static string Describe(DataField field) =>
        IsString(field) ? "string"
        : field.ClrType == typeof(byte[]) ? "binary"
        : field.ClrType.Name.ToLowerInvariant() switch
        {
            "sbyte" => "int8", "byte" => "uint8", "int16" => "int16", "uint16" => "uint16", "int32" => "int32",
            "uint32" => "uint32", "int64" => "int64", "uint64" => "uint64", "single" => "float", "double" => "double",
            "boolean" => "bool", var other => other,
        };

    private static string Describe(ParquetColumnType type) => type switch
    {
        ParquetColumnType.String => "string",
        ParquetColumnType.Integer => "an integer type",
        ParquetColumnType.Text => "string or an integer type",
        _ => "list<string>",
    };
}
