namespace EvoMerge.Evaluation;

/// <summary>The type a task needs a Parquet column to have.</summary>
public enum ParquetColumnType
{
    /// <summary>A UTF-8 string column.</summary>
    String,

    /// <summary>A signed or unsigned integer column (8 to 64 bits).</summary>
    Integer,

    /// <summary>A string or integer column, rendered as text (prompt columns).</summary>
    Text,

    /// <summary>A list of strings (<c>list&lt;string&gt;</c>).</summary>
    StringList,
}
