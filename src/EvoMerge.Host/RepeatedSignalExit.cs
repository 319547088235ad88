using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EvoMerge.Host;

/// <summary>
/// The first SIGINT/SIGTERM is left to the host (a graceful stop); a second one exits the process at once with
/// 128 + the signal number, through libc <c>_exit</c>: no managed or native teardown runs (an orderly exit while the
/// search thread is inside libtorch can crash). Checkpoints are written atomically, so the last complete one stays
/// valid, and the OS releases the run lock.
/// </summary>
public sealed class RepeatedSignalExit(ILogger<RepeatedSignalExit> logger) : IHostedService, IDisposable
{
    private readonly List<PosixSignalRegistration> _registrations = [];
    private int _signals;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, Received));
        _registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, Received));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Received(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _signals) < 2) return;
        int code = 128 + (context.Signal == PosixSignal.SIGINT ? 2 : 15);
        logger.LogWarning("second stop signal: exiting now (exit code {ExitCode}); the last complete checkpoint is valid", code);
        Thread.Sleep(100); // lets the console logger's queue write the line (best effort)
        ImmediateProcessExit.Exit(code);
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
