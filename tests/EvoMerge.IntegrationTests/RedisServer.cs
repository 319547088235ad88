using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// A <c>redis-server</c> child process on 127.0.0.1 (no persistence, its files in a given directory), killed on
/// dispose, with a minimal RESP client for the few commands the tests send.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    /// <summary>The <c>redis-server</c> found on PATH, or null.</summary>
    public static string? Binary =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Where(d => d.Length > 0).Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists);

    public int Port { get; }

    /// <summary>Starts redis-server on a free port and waits until it answers PING.</summary>
    public static RedisServer Start(string directory, int port)
    {
        string binary = Binary ?? throw new InvalidOperationException("redis-server is not on PATH");
        Directory.CreateDirectory(directory);
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (string arg in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, port);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                if (server.Command("PING") is ["PONG"]) return server;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
            }
            catch (IOException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
            }
            if (process.HasExited || DateTime.UtcNow >= deadline)
            {
                server.Dispose();
                throw new InvalidOperationException($"redis-server on port {port} did not answer PING within 20 s");
            }
            Thread.Sleep(100);
        }
    }

    /// <summary>Sends one command (arguments without spaces) and returns the reply's strings: a simple or bulk string, or an array's elements.</summary>
    public IReadOnlyList<string> Command(params string[] words)
    {
        using var client = new TcpClient("127.0.0.1", Port);
        using var stream = client.GetStream();
        var request = new StringBuilder($"*{words.Length}\r\n");
        foreach (string word in words) request.Append($"${Encoding.UTF8.GetByteCount(word)}\r\n{word}\r\n");
        stream.Write(Encoding.UTF8.GetBytes(request.ToString()));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        string header = reader.ReadLine() ?? throw new IOException("redis closed the connection");
        return header[0] switch
        {
            '+' => [header[1..]],
            '-' => throw new InvalidOperationException($"redis: {header[1..]}"),
            '$' => header == "$-1" ? [] : [reader.ReadLine()!],
            '*' => [.. Enumerable.Range(0, int.Parse(header[1..], System.Globalization.CultureInfo.InvariantCulture)).Select(_ =>
            {
                reader.ReadLine();
                return reader.ReadLine()!;
            })],
            _ => [header[1..]],
        };
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
