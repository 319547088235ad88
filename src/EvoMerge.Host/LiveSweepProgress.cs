using Microsoft.Extensions.Hosting;

namespace EvoMerge.Host;

/// <summary>Runs the caller's <see cref="ILiveSweepDisplay"/> for as long as the sweep's host runs.</summary>
public sealed class LiveSweepProgress(ILiveSweepDisplay display, HostedSweep sweep) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => display.ShowAsync(sweep.Snapshot, stoppingToken);
}
