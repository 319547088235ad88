using System.Reflection;

namespace EvoMerge.Tests;

/// <summary>
/// Paths inside the repository, from the build's own record of where the test project lives (CallerFilePath is
/// mapped to "/_/" in CI's deterministic builds, so it cannot be used to find files).
/// </summary>
public static class RepositoryPaths
{
    /// <summary>The repository root.</summary>
    public static string Root { get; } = typeof(RepositoryPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "RepositoryRoot").Value!;

    /// <summary>A path below the repository root.</summary>
    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);
}
