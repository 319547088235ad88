namespace EvoMerge.Merging.Recipes;

/// <summary>
/// Something in a recipe that mergekit accepts and ignores (a parameter the method does not use), reported as one
/// line "FILE:LINE: PROBLEM; ignored, as mergekit does"; <c>--strict</c> turns it into a <see cref="RecipeException"/>
/// "FILE:LINE: PROBLEM; refused by --strict".
/// </summary>
public sealed record RecipeWarning(string File, int Line, string Problem, string Outcome = "ignored, as mergekit does")
{
    /// <summary>"FILE:LINE: PROBLEM; OUTCOME" (by default "ignored, as mergekit does"), the form of <see cref="RecipeException"/> messages.</summary>
    public override string ToString() => $"{File}:{Line}: {Problem}; {Outcome}";

    /// <summary>The same finding as an error (for <c>--strict</c>).</summary>
    public RecipeException ToError() => new(File, Line, $"{Problem}; refused by --strict");

    /// <summary>
    /// Hands every warning to <paramref name="warn"/>, or, when <paramref name="strict"/>, throws the first as a
    /// <see cref="RecipeException"/> (the caller reports it as one line and exits 1).
    /// </summary>
    public static void Report(IEnumerable<RecipeWarning> warnings, bool strict, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        ArgumentNullException.ThrowIfNull(warn);
        foreach (var warning in warnings)
        {
            if (strict) throw warning.ToError();
            warn(warning.ToString());
        }
    }
}
