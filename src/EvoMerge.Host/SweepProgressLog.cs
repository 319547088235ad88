using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EvoMerge.Host;

/// <summary>
/// A sweep's plain progress line every <see cref="SearchHostOptions.ProgressIntervalSeconds"/> (progress <c>log</c>,
/// or <c>auto</c> when the output is not a terminal): <c>progress: sweep K/N points, current FAMILY LABEL, best FAMILY
/// LABEL=SCORE, eta hh:mm:ss</c>.
/// </summary>
public sealed class SweepProgressLog(HostedSweep sweep, IOptions<SearchHostOptions> options, ILogger<SweepProgressLog> logger, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ProgressIntervalSeconds), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
                if (sweep.Snapshot() is { } s) logger.LogInformation("{Progress}", Line(s));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>The progress line of <paramref name="status"/>.</summary>
    public static string Line(SweepStatus status)
    {
        var inv = CultureInfo.InvariantCulture;
        string best = status.Best is { } b ? string.Create(inv, $"{b.Family} {b.Label}={b.DevScore:G5}") : "-";
        string eta = status.EtaSeconds is { } left ? TimeSpan.FromSeconds(Math.Round(left)).ToString("c", inv) : "unknown";
        return string.Create(inv, $"progress: sweep {status.PointsDone}/{status.PointsTotal} points, current {status.CurrentPoint ?? "-"}, best {best}, eta {eta}");
    }
}
