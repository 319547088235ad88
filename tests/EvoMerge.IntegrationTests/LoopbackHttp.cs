using System.Net;
using System.Net.Sockets;

namespace EvoMerge.IntegrationTests;

/// <summary>Talking to the CLI's HTTP endpoints on 127.0.0.1: a free port to give it, and a GET that reads "not up (yet)" as null.</summary>
internal static class LoopbackHttp
{
    /// <summary>A TCP port on the loopback address that was free a moment ago.</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The body of a successful GET of <paramref name="url"/>; null when the server refuses, fails or times out.</summary>
    public static string? Get(HttpClient http, string url)
    {
        try
        {
            using var response = http.GetAsync(url).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode ? response.Content.ReadAsStringAsync().GetAwaiter().GetResult() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }
}
