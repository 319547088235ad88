using Microsoft.Extensions.Hosting;

namespace EvoMerge.Host;

/// <summary>Runs the caller's <see cref="ILiveProgressDisplay"/> for as long as the host runs.</summary>
public sealed class LiveProgress(ILiveProgressDisplay display, RunProgress progress) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => display.ShowAsync(progress, stoppingToken);
}
