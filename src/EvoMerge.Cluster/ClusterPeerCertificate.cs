using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace EvoMerge.Cluster;

/// <summary>
/// Mutual TLS for a silo: it presents the cluster certificate on every connection (silo-to-silo and gateway, in and
/// out) and accepts a peer only when the peer presents the same certificate (SHA-256 compared; no certificate
/// authority is trusted). Counts the peers it refused; <see cref="Refused"/> is cancelled at the first.
/// </summary>
public sealed class ClusterPeerCertificate : IDisposable
{
    private readonly X509Certificate2 _certificate;
    private readonly byte[] _hash;
    private readonly CancellationTokenSource _refused = new();
    private int _refusals;

    /// <param name="certificate">The cluster certificate, with its private key.</param>
    public ClusterPeerCertificate(X509Certificate2 certificate)
    {
        _certificate = certificate;
        _hash = certificate.GetCertHash(HashAlgorithmName.SHA256);
    }

    /// <summary>Cancelled when a peer presented another certificate (or none).</summary>
    public CancellationToken Refused => _refused.Token;

    /// <summary>Peers refused so far.</summary>
    public int Refusals => Volatile.Read(ref _refusals);

    /// <summary>Whether <paramref name="remote"/> is the cluster certificate; counts a refusal when not.</summary>
    public bool Accepts(X509Certificate2? remote)
    {
        if (remote is not null && CryptographicOperations.FixedTimeEquals(remote.GetCertHash(HashAlgorithmName.SHA256), _hash)) return true;
        Interlocked.Increment(ref _refusals);
        try
        {
            _refused.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // a handshake that ends after the silo stopped
        }
        return false;
    }

    /// <summary>Configures <paramref name="options"/> for mutual TLS with this certificate.</summary>
    public void Configure(TlsOptions options)
    {
        options.LocalCertificate = _certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.RemoteCertificateValidation = (remote, _, _) => Accepts(remote);
        options.OnAuthenticateAsClient = (_, client) => client.TargetHost = _certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
    }

    public void Dispose() => _refused.Dispose();
}
