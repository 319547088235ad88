namespace EvoMerge.FuzzCorpus;

/// <summary>
/// Where a corpus recipe's merge writes, by name (links cannot be committed portably, so the test makes them):
/// every one but <see cref="Fresh"/> is an input of the recipe reached some way, or a place that must not be replaced.
/// </summary>
public static class RecipeOutput
{
    /// <summary>A new directory beside the inputs (bad recipes are refused before it is created).</summary>
    public const string Fresh = "fresh";

    /// <summary>The output paths that must be refused, each with what the test builds for it.</summary>
    public static readonly IReadOnlyList<(string Name, string What)> Refused =
    [
        ("source", "models/a itself"),
        ("base", "models/base itself"),
        ("inside-source", "models/a/merged"),
        ("contains-inputs", "models, the directory holding every input"),
        ("workspace", "the workspace root, which holds models/"),
        ("dotdot-into-source", "fresh/x/../../models/b"),
        ("link-to-source", "a symbolic link to models/a"),
        ("link-to-models-then-base", "link/base, where link is a symbolic link to models"),
        ("link-chain-to-source", "a link to a link to models/b"),
        ("link-then-dotdot", "link/../b, where link is a symbolic link to models/a (the kernel's '..' is models)"),
        ("inside-link-to-source", "link/sub, where link is a symbolic link to models/a"),
        ("non-empty", "a directory holding a user's file (refused without --allow-overwrite)"),
        ("existing-file", "a regular file"),
    ];
}
