using System.Net;
using EvoMerge.Cluster;
using Xunit;

namespace EvoMerge.Tests.Cluster;

/// <summary><c>--cluster</c>: localhost[:PORT] or a YAML file; every bad value names the file and the field.</summary>
public sealed class ClusterSpecTests
{
    [Fact]
    public void LocalhostMeansTheDefaultPortOnLoopback()
    {
        var spec = ClusterSpec.Parse("localhost");
        Assert.Equal(ClusteringKind.Localhost, spec.Kind);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 11111), spec.Primary);
        Assert.Equal(11111, spec.SiloPort);
        Assert.Equal(IPAddress.Loopback, spec.AdvertisedAddress);
        Assert.Equal("localhost", spec.Source);
    }

    [Fact]
    public void LocalhostWithAPort()
    {
        var spec = ClusterSpec.Parse("localhost:12000");
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 12000), spec.Primary);
        Assert.Equal(12000, spec.SiloPort);
    }

    [Theory]
    [InlineData("localhost:0")]
    [InlineData("localhost:65536")]
    [InlineData("localhost:port")]
    [InlineData("localhost:")]
    public void ALocalhostPortMustBeInRange(string value)
    {
        var e = Assert.Throws<ArgumentException>(() => ClusterSpec.Parse(value));
        Assert.Contains("PORT in 1..65535", e.Message);
    }

    [Fact]
    public void NeitherLocalhostNorAFileIsRefused()
    {
        using var temp = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => ClusterSpec.Parse(temp.Combine("missing.yml")));
        Assert.Contains("neither localhost[:PORT] nor an existing cluster file", e.Message);
    }

    [Fact]
    public void ARedisFileGivesEveryField()
    {
        using var temp = new TempDirectory();
        string path = Write(temp, """
            clustering: redis
            connection_string: redis.internal:6379
            cluster_id: trial
            service_id: merges
            silo_port: 11112
            gateway_port: 30000
            advertised_address: 10.0.0.5
            insecure: true
            """);
        var spec = ClusterSpec.Parse(path);
        Assert.Equal(ClusteringKind.Redis, spec.Kind);
        Assert.Equal("redis.internal:6379", spec.ConnectionString);
        Assert.Equal("trial", spec.ClusterId);
        Assert.Equal("merges", spec.ServiceId);
        Assert.Equal(11112, spec.SiloPort);
        Assert.Equal(30000, spec.GatewayPort);
        Assert.Equal(IPAddress.Parse(Environment.GetEnvironmentVariable("EVOMERGE_CLUSTER_ADDRESS") is { Length: > 0 } env ? env : "10.0.0.5"), spec.AdvertisedAddress);
        Assert.Equal("Npgsql", spec.Invariant);
        Assert.Null(spec.Primary);
        Assert.Equal(path, spec.Source);
        Assert.True(spec.Insecure);
        Assert.Null(spec.Certificate);
    }

    [Fact]
    public void ALocalhostFileTakesItsSiloPortFromThePrimary()
    {
        using var temp = new TempDirectory();
        var spec = ClusterSpec.Parse(Write(temp, "clustering: localhost\nprimary: 10.1.2.3:12345\ninsecure: true\n"));
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.1.2.3"), 12345), spec.Primary);
        Assert.Equal(12345, spec.SiloPort);
        Assert.Equal(0, spec.GatewayPort);
        Assert.Equal("evomerge", spec.ClusterId);
    }

    [Theory]
    [InlineData("clustering: adonet\n", "connection_string: required for adonet clustering")]
    [InlineData("clustering: etcd\n", "clustering: expected localhost, redis or adonet, got 'etcd'")]
    [InlineData("clustering: localhost\ncolour: blue\n", "colour: unknown setting")]
    [InlineData("clustering: localhost\nsilo_port: 70000\ninsecure: true\n", "silo_port: expected a port in 0..65535, got '70000'")]
    [InlineData("clustering: localhost\nprimary: 10.1.2.3\ninsecure: true\n", "primary: expected HOST:PORT, got '10.1.2.3'")]
    [InlineData("clustering: redis\nconnection_string: r:1\nadvertised_address: somewhere\ninsecure: true\n", "advertised_address: 'somewhere' is not an IP address")]
    [InlineData("clustering: localhost\n", "certificate: required (a .pfx file every silo shares, see README \"Cluster\"), or set insecure: true")]
    [InlineData("clustering: localhost\ninsecure: yes\n", "insecure: expected true or false, got 'yes'")]
    [InlineData("clustering: localhost\ninsecure: true\ncertificate: c.pfx\n", "insecure: true and a certificate exclude each other")]
    [InlineData("clustering: localhost\ninsecure: true\ncertificate_password_env: X\n", "certificate_password_env: only used with certificate")]
    [InlineData("clustering: localhost\ncertificate: c.pfx\ncertificate_password_env: 1-X\n", "certificate_password_env: expected an environment variable name, got '1-X'")]
    [InlineData("clustering: localhost\ncertificate: missing.pfx\n", "missing.pfx not found")]
    [InlineData("- clustering\n", "expected a mapping of cluster settings")]
    public void ABadFileNamesItsPathAndField(string yaml, string problem)
    {
        if (yaml.Contains("advertised_address", StringComparison.Ordinal) && Environment.GetEnvironmentVariable("EVOMERGE_CLUSTER_ADDRESS") is { Length: > 0 }) return;
        using var temp = new TempDirectory();
        string path = Write(temp, yaml);
        var e = Assert.Throws<ArgumentException>(() => ClusterSpec.Parse(path));
        Assert.Contains($"{path}: ", e.Message);
        Assert.Contains(problem, e.Message);
    }

    [Fact]
    public void ACertificateFileIsLoadedWithThePasswordFromTheNamedVariable()
    {
        using var temp = new TempDirectory();
        string path = ClusterSiloTests.WriteSpec(temp, "cluster.yml", "certs.pfx", 12345);
        var spec = ClusterSpec.Parse(path);
        Assert.False(spec.Insecure);
        Assert.NotNull(spec.Certificate);
        Assert.True(spec.Certificate.HasPrivateKey);
        Assert.Equal("CN=evomerge-cluster", spec.Certificate.Subject);
    }

    [Fact]
    public void AWrongPasswordIsOneLineNamingTheFileAndField()
    {
        using var temp = new TempDirectory();
        string path = ClusterSiloTests.WriteSpec(temp, "cluster.yml", "certs.pfx", 12345);
        // WRONG_…: a variable nobody set, so no password opens the file
        File.WriteAllText(path, File.ReadAllText(path).Replace("certificate_password_env: EVOMERGE_TEST_PFX_", "certificate_password_env: WRONG_EVOMERGE_TEST_PFX_", StringComparison.Ordinal));
        var e = Assert.Throws<ArgumentException>(() => ClusterSpec.Parse(path));
        Assert.StartsWith($"{path}: certificate: {temp.Combine("certs.pfx")} is not a PKCS#12 (.pfx) file this password opens", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void LocalhostUsesThePerUserCertificate()
    {
        var first = ClusterSpec.Parse("localhost:12001");
        var second = ClusterSpec.Parse("localhost:12002");
        Assert.NotNull(first.Certificate);
        Assert.Equal(first.Certificate.Thumbprint, second.Certificate!.Thumbprint);
        string file = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "evomerge", "localhost-cluster.pfx");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public void APerUserCertificateOthersMayReadIsRefused()
    {
        if (OperatingSystem.IsWindows()) return;
        using var temp = new TempDirectory();
        using (var created = ClusterCertificate.ForLocalhost(temp.Path)) Assert.True(created.HasPrivateKey);
        string file = temp.Combine("evomerge", "localhost-cluster.pfx");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(temp.Combine("evomerge")));
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var e = Assert.Throws<UnauthorizedAccessException>(() => ClusterCertificate.ForLocalhost(temp.Path));
        Assert.Equal($"--cluster localhost: {file} is readable or writable by other users, who could then join the cluster; chmod 600 it (or delete it for a new one)", e.Message);
    }

    private static string Write(TempDirectory temp, string yaml)
    {
        string path = temp.Combine("cluster.yml");
        File.WriteAllText(path, yaml);
        return path;
    }
}
