namespace EvoMerge.FuzzCorpus;

/// <summary>
/// One corpus file: its bytes, the mutation that made it, and whether the entry point must refuse it (crafted damage)
/// or may also accept it (a random flip can leave a valid file).
/// </summary>
public sealed record FuzzCase(string Kind, byte[] Bytes, bool MustFail = true)
{
    /// <summary>For recipes: where the merge writes (a <see cref="RecipeOutput"/> name), else null.</summary>
    public string? Output { get; init; }

    /// <summary>For recipes: whether the merge runs with --allow-overwrite.</summary>
    public bool AllowOverwrite { get; init; }

    /// <summary>Extra files written beside the case (name relative to the case's folder, bytes), e.g. a task's Parquet data.</summary>
    public IReadOnlyList<(string Name, byte[] Bytes)> Companions { get; init; } = [];
}
