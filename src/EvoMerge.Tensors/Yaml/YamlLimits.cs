using System.Globalization;

namespace EvoMerge.Tensors.Yaml;

/// <summary>
/// The bounds every YAML input (search configs, eval tasks, merge recipes, cluster files) is read under, so that a
/// hostile or mistaken document is refused in milliseconds instead of growing without limit: the file's size in
/// bytes, the number of nodes once every alias is expanded (a "billion laughs" document of a few hundred bytes
/// would otherwise expand to billions), the number of aliases and the nesting depth (aliases count at the depth
/// they expand to). <see cref="Default"/> holds the values the readers use; README's "Input limits" section lists them.
/// </summary>
public sealed record YamlLimits
{
    /// <summary>1 MiB of text, 100,000 nodes after alias expansion, 1,000 aliases, nesting 64 deep.</summary>
    public static YamlLimits Default { get; } = new();

    /// <summary>Largest accepted document, in UTF-8 bytes.</summary>
    public long MaxBytes { get; init; } = 1024 * 1024;

    /// <summary>Most nodes (scalars, mappings, sequences) counted with every alias expanded.</summary>
    public long MaxNodes { get; init; } = 100_000;

    /// <summary>Most aliases (<c>*name</c>) in a document.</summary>
    public int MaxAliases { get; init; } = 1_000;

    /// <summary>Deepest nesting of mappings and sequences, aliases expanded.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>A size in the units the messages use: "1 MiB", "4096 bytes".</summary>
    internal string BytesText() =>
        MaxBytes % (1024 * 1024) == 0 ? (MaxBytes / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + " MiB"
            : MaxBytes.ToString(CultureInfo.InvariantCulture) + " bytes";
}
