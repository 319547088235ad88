using System.Globalization;

namespace EvoMerge.Search.Runs;

/// <summary>
/// How generations are named to users, the way the run's files name them: numbered from 0, as in the
/// <c>generation</c> column of <c>evaluations.parquet</c> and the members of <c>archive.json</c>. A count of
/// completed generations (<c>generation</c> in <c>checkpoint.json</c> and <c>/status</c>) is therefore also the
/// number of the next generation; "generation N" always names one, "N generations" counts them.
/// </summary>
public static class GenerationNumbering
{
    /// <summary>The number of the last of <paramref name="completed"/> completed generations, or null before the first completes.</summary>
    public static int? Last(int completed) => completed > 0 ? completed - 1 : null;

    /// <summary>"the checkpoint of generation N is valid" for the last completed one, or "no generation has been checkpointed yet".</summary>
    public static string ValidCheckpoint(int completed) => Last(completed) is { } last
        ? string.Create(CultureInfo.InvariantCulture, $"the checkpoint of generation {last} is valid")
        : "no generation has been checkpointed yet";
}
