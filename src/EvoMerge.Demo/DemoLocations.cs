using System.Net;
using System.Net.Sockets;

namespace EvoMerge.Demo;

/// <summary>
/// Where the demo finds its inputs, puts its runs and serves its metrics when the command line names none: the
/// repository holding the demo config (<c>experiments/demo/search.yml</c>, two levels below the root), its
/// <c>datasets/</c> and <c>runs/</c>, and a free port.
/// </summary>
public static class DemoLocations
{
    /// <summary>The repository root of a demo config: two directories above the file's own.</summary>
    public static string RepositoryRoot(string configFile) =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(configFile)!, "..", ".."));

    /// <summary>The skill datasets next to <c>experiments/</c> of the config's repository.</summary>
    public static string Datasets(string configFile) => Path.Combine(RepositoryRoot(configFile), "datasets");

    /// <summary>
    /// <c>runs/</c> of the repository when the config lies under its <c>experiments/</c>, otherwise <c>runs/</c> in the
    /// current directory.
    /// </summary>
    public static string Runs(string configFile)
    {
        string root = RepositoryRoot(configFile);
        bool inRepository = configFile.StartsWith(Path.Combine(root, "experiments") + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        return Path.Combine(inRepository ? root : Directory.GetCurrentDirectory(), "runs");
    }

    /// <summary>runs/demo-SEED, or runs/demo-SEED-N for the first N ≥ 2 whose directory holds no search yet.</summary>
    public static string FreeRunDirectory(string runs, ulong seed)
    {
        string candidate = Path.Combine(runs, $"demo-{seed}");
        for (int n = 2; File.Exists(Path.Combine(candidate, "run.json")); n++) candidate = Path.Combine(runs, $"demo-{seed}-{n}");
        return candidate;
    }

    /// <summary>The multitask model given, or <c>multitask</c> next to the base model when it exists.</summary>
    public static string? UpperBound(string? given, string baseModel)
    {
        if (given is not null) return given;
        string sibling = Path.Combine(Path.GetDirectoryName(baseModel.TrimEnd('/'))!, "multitask");
        return Directory.Exists(sibling) ? sibling : null;
    }

    /// <summary>
    /// <paramref name="preferredUrl"/> when its port is free, otherwise the same address on a free port (so the URL
    /// printed is the one served).
    /// </summary>
    public static string MetricsUrl(string preferredUrl)
    {
        var preferred = new Uri(preferredUrl);
        var address = IPAddress.Parse(preferred.Host);
        foreach (int port in new[] { preferred.Port, 0 })
        {
            try
            {
                var listener = new TcpListener(address, port);
                listener.Start();
                int bound = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                return $"http://{address}:{bound}";
            }
            catch (SocketException)
            {
            }
        }
        throw new IOException("no free TCP port on 127.0.0.1 for the metrics endpoint");
    }
}
