namespace EvoMerge.Evaluation;

/// <summary>What scoring one document gave; <see cref="DocIndex"/> is the document's row in the scored Parquet file.</summary>
public abstract record DocumentRecord(int DocIndex);
