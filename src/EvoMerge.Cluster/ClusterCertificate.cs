using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace EvoMerge.Cluster;

/// <summary>
/// The certificate every silo of a cluster presents and requires (mutual TLS, pinned: a peer is accepted only when it
/// presents this very certificate). Loaded from a PKCS#12 (.pfx) file named by the cluster YAML, or, for
/// <c>--cluster localhost[:PORT]</c>, a self-signed one created once per user (readable by that user only).
/// </summary>
public static class ClusterCertificate
{
    /// <summary>The default environment variable holding a .pfx file's password.</summary>
    public const string DefaultPasswordVariable = "EVOMERGE_CLUSTER_CERTIFICATE_PASSWORD";

    /// <summary>Reads a .pfx file with its private key; problems are one-line <see cref="ArgumentException"/>s prefixed with <paramref name="what"/>.</summary>
    public static X509Certificate2 Load(string path, string? password, string what)
    {
        if (!File.Exists(path)) throw new ArgumentException($"{what}: {path} not found");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }
        catch (CryptographicException e)
        {
            throw new ArgumentException($"{what}: {path} is not a PKCS#12 (.pfx) file this password opens ({e.Message.ReplaceLineEndings(" ").Trim()})");
        }
        if (!certificate.HasPrivateKey) throw new ArgumentException($"{what}: {path} holds no private key");
        return certificate;
    }

    /// <summary>A new self-signed certificate (RSA 2048, server and client authentication, 10 years).</summary>
    public static X509Certificate2 CreateSelfSigned(string subject = "CN=evomerge-cluster")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        var start = TimeProvider.System.GetUtcNow().AddDays(-1);
        using var created = request.CreateSelfSigned(start, start.AddYears(10));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null, X509KeyStorageFlags.EphemeralKeySet);
    }

    /// <summary>Writes <paramref name="certificate"/> with its key to <paramref name="path"/> as .pfx (mode 0600).</summary>
    public static void Save(X509Certificate2 certificate, string path, string? password = null)
    {
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options)) stream.Write(certificate.Export(X509ContentType.Pfx, password));
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary); // another process created it first; both then use that one
        }
    }

    /// <summary>
    /// The certificate of <c>--cluster localhost[:PORT]</c>: <c>evomerge/localhost-cluster.pfx</c> under the user's
    /// local data directory (created on first use, directory 0700, file 0600), so only this user's processes join; a
    /// file that other users may read is refused.
    /// </summary>
    /// <param name="dataDirectory">Instead of the user's local data directory (tests).</param>
    public static X509Certificate2 ForLocalhost(string? dataDirectory = null)
    {
        dataDirectory ??= Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create);
        if (!Path.IsPathRooted(dataDirectory))
            throw new ArgumentException("--cluster localhost: no per-user data directory for the cluster certificate (HOME unset?); use a cluster file with a certificate");
        string directory = Path.Combine(dataDirectory, "evomerge");
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(directory);
        else Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        string path = Path.Combine(directory, "localhost-cluster.pfx");
        if (!File.Exists(path))
        {
            using var created = CreateSelfSigned();
            Save(created, path);
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
            throw new UnauthorizedAccessException($"--cluster localhost: {path} is readable or writable by other users, who could then join the cluster; chmod 600 it (or delete it for a new one)");
        return Load(path, null, "--cluster localhost: the per-user cluster certificate");
    }
}
