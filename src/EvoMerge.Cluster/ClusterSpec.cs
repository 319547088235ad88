using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using EvoMerge.Tensors.Yaml;
using YamlDotNet.RepresentationModel;

namespace EvoMerge.Cluster;

/// <summary>Which Orleans membership provider the silos share.</summary>
public enum ClusteringKind
{
    /// <summary>Development clustering on one machine: the orchestrator's silo is the primary and holds the membership table.</summary>
    Localhost,
    /// <summary>Membership table in Redis (Microsoft.Orleans.Clustering.Redis).</summary>
    Redis,
    /// <summary>Membership table in a SQL database over ADO.NET (Microsoft.Orleans.Clustering.AdoNet; PostgreSQL via Npgsql).</summary>
    AdoNet,
}

/// <summary>
/// The <c>--cluster</c> argument: <c>localhost</c> or <c>localhost:PORT</c> (development clustering on 127.0.0.1, the
/// orchestrator's silo listening on PORT, default 11111), or a YAML file (see <c>deploy/cluster/*.yml</c>) naming the
/// membership provider (<c>clustering: localhost | redis | adonet</c>), its <c>connection_string</c> (and
/// <c>invariant</c>, default <c>Npgsql</c>), <c>cluster_id</c>, <c>service_id</c>, <c>silo_port</c>,
/// <c>gateway_port</c>, <c>advertised_address</c> (default: this machine's first IPv4 address; env
/// <c>EVOMERGE_CLUSTER_ADDRESS</c> overrides), for localhost <c>primary</c> (HOST:PORT), and the credential every
/// silo presents and requires: <c>certificate</c> (a .pfx file, relative to the YAML; its password in the environment
/// variable named by <c>certificate_password_env</c>, default <c>EVOMERGE_CLUSTER_CERTIFICATE_PASSWORD</c>), or
/// <c>insecure: true</c> to run without (a YAML file needs one of the two). <c>localhost[:PORT]</c> uses a per-user
/// certificate (<see cref="ClusterCertificate.ForLocalhost"/>).
/// </summary>
public sealed record ClusterSpec
{
    /// <summary>The default port of the orchestrator's silo.</summary>
    public const int DefaultPort = 11111;

    public required ClusteringKind Kind { get; init; }

    public string ConnectionString { get; init; } = "";

    public string Invariant { get; init; } = "Npgsql";

    public string ClusterId { get; init; } = "evomerge";

    public string ServiceId { get; init; } = "evomerge";

    /// <summary>This silo's port (0: a free one).</summary>
    public int SiloPort { get; init; }

    /// <summary>This silo's gateway port (0: a free one).</summary>
    public int GatewayPort { get; init; }

    /// <summary>The address other silos reach this one at.</summary>
    public required IPAddress AdvertisedAddress { get; init; }

    /// <summary>Localhost clustering: the primary (orchestrator) silo's endpoint.</summary>
    public IPEndPoint? Primary { get; init; }

    /// <summary>The certificate every silo presents and requires (mutual TLS); null only when <see cref="Insecure"/>.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary><c>insecure: true</c>: no TLS, any host that reaches the silo ports can join the cluster.</summary>
    public bool Insecure { get; init; }

    /// <summary>Where the spec came from, for messages.</summary>
    public required string Source { get; init; }

    /// <summary>Parses <c>--cluster</c>; a bad value is an <see cref="ArgumentException"/> naming the file and field.</summary>
    public static ClusterSpec Parse(string value)
    {
        if (value == "localhost" || value.StartsWith("localhost:", StringComparison.Ordinal))
        {
            int port = DefaultPort;
            if (value.Length > "localhost".Length && (!int.TryParse(value["localhost:".Length..], out port) || port is <= 0 or > 65535))
                throw new ArgumentException($"--cluster {value}: expected localhost or localhost:PORT with PORT in 1..65535");
            return new ClusterSpec
            {
                Kind = ClusteringKind.Localhost, AdvertisedAddress = IPAddress.Loopback, Primary = new IPEndPoint(IPAddress.Loopback, port), SiloPort = port, Source = value,
                Certificate = ClusterCertificate.ForLocalhost(),
            };
        }
        if (!File.Exists(value)) throw new FileNotFoundException($"--cluster {value}: neither localhost[:PORT] nor an existing cluster file", value);
        return ReadFile(value);
    }

    private static ClusterSpec ReadFile(string path)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var yaml = YamlDocumentLoader.Load(YamlDocumentLoader.ReadText(path), path);
            if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root) throw new ArgumentException($"{path}: expected a mapping of cluster settings");
            foreach (var (key, node) in root.Children)
            {
                string name = key is YamlScalarNode { Value: { } text } ? text : throw new ArgumentException($"{path}: keys must be plain names");
                fields[name] = node is YamlScalarNode scalar ? scalar.Value ?? "" : throw new ArgumentException($"{path}: {name}: expected a single value");
            }
        }
        catch (YamlInputException e)
        {
            throw new ArgumentException(e.Message);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ArgumentException($"{path}: not valid YAML ({e.Message.ReplaceLineEndings(" ").Trim()})");
        }
        string[] known = ["clustering", "connection_string", "invariant", "cluster_id", "service_id", "silo_port", "gateway_port", "advertised_address", "primary", "certificate", "certificate_password_env", "insecure"];
        if (fields.Keys.FirstOrDefault(k => !known.Contains(k)) is { } unknown)
            throw new ArgumentException($"{path}: {unknown}: unknown setting (known: {string.Join(", ", known)})");
        string Get(string name, string fallback) => fields.TryGetValue(name, out var v) && v.Length > 0 ? v : fallback;
        int Port(string name, int fallback)
        {
            string text = Get(name, fallback.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return int.TryParse(text, out int port) && port is >= 0 and <= 65535 ? port : throw new ArgumentException($"{path}: {name}: expected a port in 0..65535, got '{text}'");
        }
        var kind = Get("clustering", "") switch
        {
            "localhost" => ClusteringKind.Localhost,
            "redis" => ClusteringKind.Redis,
            "adonet" => ClusteringKind.AdoNet,
            var other => throw new ArgumentException($"{path}: clustering: expected localhost, redis or adonet, got '{other}'"),
        };
        if (kind != ClusteringKind.Localhost && Get("connection_string", "").Length == 0)
            throw new ArgumentException($"{path}: connection_string: required for {Get("clustering", "")} clustering");
        string? addressText = Environment.GetEnvironmentVariable("EVOMERGE_CLUSTER_ADDRESS") is { Length: > 0 } env ? env : fields.GetValueOrDefault("advertised_address");
        IPAddress address;
        if (addressText is { Length: > 0 })
        {
            if (!IPAddress.TryParse(addressText, out address!)) throw new ArgumentException($"{path}: advertised_address: '{addressText}' is not an IP address");
        }
        else address = kind == ClusteringKind.Localhost ? IPAddress.Loopback : DefaultAddress();
        IPEndPoint? primary = null;
        if (kind == ClusteringKind.Localhost)
        {
            string text = Get("primary", $"127.0.0.1:{DefaultPort}");
            if (!IPEndPoint.TryParse(text, out primary) || primary.Port == 0) throw new ArgumentException($"{path}: primary: expected HOST:PORT, got '{text}'");
        }
        bool insecure = Get("insecure", "false") switch
        {
            "true" => true,
            "false" => false,
            var other => throw new ArgumentException($"{path}: insecure: expected true or false, got '{other}'"),
        };
        X509Certificate2? certificate = null;
        if (Get("certificate", "") is { Length: > 0 } certificateFile)
        {
            if (insecure) throw new ArgumentException($"{path}: insecure: true and a certificate exclude each other; remove one");
            string variable = Get("certificate_password_env", ClusterCertificate.DefaultPasswordVariable);
            if (!System.Text.RegularExpressions.Regex.IsMatch(variable, "^[A-Za-z_][A-Za-z0-9_]*$"))
                throw new ArgumentException($"{path}: certificate_password_env: expected an environment variable name, got '{variable}'");
            string file = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, certificateFile));
            certificate = ClusterCertificate.Load(file, Environment.GetEnvironmentVariable(variable), $"{path}: certificate");
        }
        else if (!insecure)
            throw new ArgumentException($"{path}: certificate: required (a .pfx file every silo shares, see README \"Cluster\"), or set insecure: true to let any host that reaches the ports join");
        else if (fields.ContainsKey("certificate_password_env"))
            throw new ArgumentException($"{path}: certificate_password_env: only used with certificate");
        return new ClusterSpec
        {
            Kind = kind,
            Certificate = certificate,
            Insecure = insecure,
            ConnectionString = Get("connection_string", ""),
            Invariant = Get("invariant", "Npgsql"),
            ClusterId = Get("cluster_id", "evomerge"),
            ServiceId = Get("service_id", "evomerge"),
            SiloPort = Port("silo_port", primary?.Port ?? DefaultPort),
            GatewayPort = Port("gateway_port", 0),
            AdvertisedAddress = address,
            Primary = primary,
            Source = path,
        };
    }

    private static IPAddress DefaultAddress() =>
        Dns.GetHostAddresses(Dns.GetHostName()).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)) ?? IPAddress.Loopback;

    /// <summary>A free TCP port on <paramref name="address"/> (bound and released).</summary>
    public static int FreePort(IPAddress address)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
