using System.Collections.Concurrent;
using System.Diagnostics;

namespace EvoMerge.IntegrationTests;

/// <summary>The evomerge CLI running in the background, its stderr lines collected as they arrive.</summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly System.Text.StringBuilder _stdout = new();

    private ChildProcess(Process process)
    {
        _process = process;
    }

    /// <summary>
    /// Starts <c>dotnet evomerge.dll args…</c> with extra environment variables, with SIGINT and SIGQUIT at their
    /// default disposition as under an interactive shell. An ignored signal is inherited across exec, and
    /// <c>dotnet test</c> on a solution runs the test host from an MSBuild node that ignores both, so without the reset
    /// a Ctrl+C sent to the child would be discarded by the kernel. <c>env</c> execs dotnet, so the pid is the CLI's.
    /// </summary>
    public static ChildProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("env") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("--default-signal=INT,QUIT");
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(CliRunner.CliPath);
        foreach (string a in args) info.ArgumentList.Add(a);
        info.Environment["EVOMERGE_SCORE_CACHE"] = "false"; // tests never share reference scores through ~/.cache unless they ask
        // Searches of parallel test classes must not race for the default metrics port 9464 (a test may still set its own).
        info.Environment["EVOMERGE_METRICS_URL"] = $"http://127.0.0.1:{LoopbackHttp.FreePort()}";
        foreach (var (k, v) in environment) info.Environment[k] = v;
        var child = new ChildProcess(Process.Start(info)!);
        child._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null) child._stderr.Enqueue(e.Data);
        };
        child._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (child._stdout) child._stdout.AppendLine(e.Data);
        };
        child._process.BeginErrorReadLine();
        child._process.BeginOutputReadLine();
        return child;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Stderr => string.Join('\n', _stderr);

    public string Stdout
    {
        get
        {
            lock (_stdout) return _stdout.ToString();
        }
    }

    /// <summary>Waits until a stderr line contains <paramref name="text"/>; false on timeout or exit.</summary>
    public bool WaitForLine(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_stderr.Any(l => l.Contains(text, StringComparison.Ordinal))) return true;
            if (_process.HasExited) return _stderr.Any(l => l.Contains(text, StringComparison.Ordinal));
            Thread.Sleep(100);
        }
        return false;
    }

    /// <summary>Waits for exit; false on timeout.</summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout)) return false;
        _process.WaitForExit();
        return true;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
