namespace EvoMerge.Tensors;

/// <summary>
/// Paths as the file system sees them, for keeping outputs off inputs: every symbolic link is followed (on each
/// component, links inside link targets too) and "." and ".." apply to the resolved directory, as the kernel does
/// (so <c>link/..</c> is the parent of the link's target, not the link's directory). A tail that does not exist
/// yet is kept as written. Where paths differ as strings, <see cref="Relation"/> also compares file identities
/// (<see cref="FileIdentity"/>), so a bind mount of an input is recognised as that input.
/// </summary>
public static class RealPath
{
    private const int MaxLinks = 40;

    /// <summary>The absolute path with every symbolic link followed.</summary>
    public static string Resolve(string path)
    {
        string root = Path.GetPathRoot(Path.GetFullPath(path))!;
        string absolute = Path.IsPathRooted(path) ? path : Path.Join(Directory.GetCurrentDirectory(), path);
        var pending = new Stack<string>(Components(absolute[Path.GetPathRoot(absolute)!.Length..]).Reverse());
        string current = root;
        int links = 0;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part is "" or ".") continue;
            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? current;
                continue;
            }
            string next = Path.Join(current, part);
            if (new FileInfo(next).LinkTarget is { } target)
            {
                if (++links > MaxLinks) throw new IOException($"{path}: too many levels of symbolic links");
                if (Path.IsPathRooted(target)) current = Path.GetPathRoot(target)!;
                foreach (string t in Components(target[(Path.GetPathRoot(target)?.Length ?? 0)..]).Reverse()) pending.Push(t);
                continue;
            }
            current = next;
        }
        return current;
    }

    /// <summary>
    /// How resolved <paramref name="path"/> stands to resolved <paramref name="other"/>: "resolves to" (the same
    /// place), "is inside", "contains", or null when neither holds the other. Compares the resolved strings, then the
    /// identities of the existing paths and their parent directories (bind mounts, a second mount of one file system).
    /// </summary>
    public static string? Relation(string path, string other)
    {
        string a = Resolve(path), b = Resolve(other);
        if (string.Equals(a, b, StringComparison.Ordinal)) return "resolves to";
        if (a.StartsWith(WithSeparator(b), StringComparison.Ordinal)) return "is inside";
        if (b.StartsWith(WithSeparator(a), StringComparison.Ordinal)) return "contains";
        FileIdentity? ida = FileIdentity.Of(a), idb = FileIdentity.Of(b);
        if (ida is not null && ida == idb) return "resolves to";
        if (idb is not null && Parents(a).Any(p => FileIdentity.Of(p) == idb)) return "is inside";
        return ida is not null && Parents(b).Any(p => FileIdentity.Of(p) == ida) ? "contains" : null;
    }

    private static IEnumerable<string> Parents(string path)
    {
        for (string? parent = Path.GetDirectoryName(path); parent is not null; parent = Path.GetDirectoryName(parent))
            yield return parent;
    }

    /// <summary>
    /// The one-line refusal when output directory <paramref name="output"/> is, is inside or contains one of
    /// <paramref name="inputs"/> (a description such as "the recipe's model 'a'" and its path), else null.
    /// </summary>
    public static string? OverlapMessage(string output, IEnumerable<(string What, string Path)> inputs)
    {
        foreach (var (what, input) in inputs)
        {
            if (Relation(output, input) is not { } relation) continue;
            string real = Resolve(output);
            string via = string.Equals(real, Path.GetFullPath(output).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal) ? "" : $" (via {real})";
            return $"{output}: the output directory{via} {relation} {what} at {input}; refusing to write over an input";
        }
        return null;
    }

    private static string WithSeparator(string path) =>
        path.EndsWith(Path.DirectorySeparatorChar) ? path : path + Path.DirectorySeparatorChar;

    private static string[] Components(string path) =>
        path.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
}
