using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using EvoMerge.Search.Runs;

namespace EvoMerge.Search.Monitoring;

/// <summary>
/// What names a run in metrics and status: its id (the run directory's name), the config's hash and the program version.
/// Read by the host and the cluster layer alike, so it lives below both (see <see cref="SearchMeter"/>).
/// </summary>
public sealed record RunIdentity(string RunId, string RunDirectory, string ConfigHash, string Version)
{
    /// <summary>The identity of the run in <paramref name="runDirectory"/> with config text <paramref name="configText"/>.</summary>
    public static RunIdentity Of(string runDirectory, string configText)
    {
        string full = Path.GetFullPath(runDirectory).TrimEnd(Path.DirectorySeparatorChar);
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(configText)))[..16];
        return new RunIdentity(Path.GetFileName(full), full, hash, ProgramVersion);
    }

    /// <summary>The search library's informational version without build metadata.</summary>
    public static string ProgramVersion { get; } =
        (typeof(SearchRun).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
