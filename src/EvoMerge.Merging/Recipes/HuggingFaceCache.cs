namespace EvoMerge.Merging.Recipes;

/// <summary>
/// The local HuggingFace hub cache, read as huggingface_hub reads it offline: <c>models--ORG--NAME/refs/REVISION</c>
/// holds a commit hash, <c>snapshots/HASH/</c> the files; a revision that is itself a commit hash names its snapshot
/// directly. EvoMerge never downloads; a Hub model name in a recipe resolves here or is an error.
/// </summary>
public sealed class HuggingFaceCache(string root)
{
    /// <summary>The hub cache directory (the folder holding <c>models--*</c>).</summary>
    public string Root { get; } = root;

    /// <summary>
    /// The cache huggingface_hub uses: <c>$HF_HUB_CACHE</c>, else <c>$HF_HOME/hub</c>, else
    /// <c>$XDG_CACHE_HOME/huggingface/hub</c>, else <c>~/.cache/huggingface/hub</c>.
    /// </summary>
    public static HuggingFaceCache FromEnvironment()
    {
        static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
        string root = Variable("HF_HUB_CACHE")
            ?? (Variable("HF_HOME") is { } home ? Path.Combine(home, "hub") : null)
            ?? Path.Combine(Variable("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "huggingface", "hub");
        return new HuggingFaceCache(Path.GetFullPath(root));
    }

    /// <summary>True for a Hub repository id <c>ORG/NAME</c> (letters, digits, '-', '_', '.'; no '..').</summary>
    public static bool IsRepoId(string name)
    {
        string[] parts = name.Split('/');
        return parts.Length == 2 && parts.All(p => p.Length > 0 && !p.Contains("..", StringComparison.Ordinal)
            && p[0] != '.' && p.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'));
    }

    /// <summary>The cache folder of a model repository: <c>ROOT/models--ORG--NAME</c>.</summary>
    public string RepositoryDirectory(string repoId) => Path.Combine(Root, "models--" + repoId.Replace("/", "--", StringComparison.Ordinal));

    /// <summary>The snapshot directory of <paramref name="repoId"/> at <paramref name="revision"/> (default <c>main</c>), or null when not cached.</summary>
    public string? Snapshot(string repoId, string? revision)
    {
        string repository = RepositoryDirectory(repoId);
        string reference = revision ?? "main";
        string refFile = Path.Combine(repository, "refs", reference);
        string? commit = File.Exists(refFile) ? File.ReadAllText(refFile).Trim() : null;
        if (commit is null && reference.Length == 40 && reference.All(char.IsAsciiHexDigitLower)) commit = reference;
        if (commit is null || commit.Length == 0 || commit.Contains('/', StringComparison.Ordinal) || commit.Contains("..", StringComparison.Ordinal)) return null;
        string snapshot = Path.Combine(repository, "snapshots", commit);
        return Directory.Exists(snapshot) ? snapshot : null;
    }
}
