namespace EvoMerge.Evaluation;

/// <summary>One document of a loaded task, ready to score; <see cref="Index"/> is its row in the scored Parquet file.</summary>
public abstract record EvalDocument(int Index);
