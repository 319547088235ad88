using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EvoMerge.Host;

/// <summary>
/// A plain progress line every <see cref="SearchHostOptions.ProgressIntervalSeconds"/> (for logs, when stdout is not a
/// terminal): the search's, or during a post-search phase the phase's steps with its ETA.
/// </summary>
public sealed class ProgressLog(RunProgress progress, IOptions<SearchHostOptions> options, ILogger<ProgressLog> logger, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ProgressIntervalSeconds), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (progress.Snapshot() is not { } s) continue;
                var inv = CultureInfo.InvariantCulture;
                if (s.Phase is { } phase)
                {
                    logger.LogInformation("progress: {Phase} {Done}/{Total} steps, {Elapsed} elapsed, eta {Eta}", phase.Name, phase.Done, phase.Total,
                        Duration(phase.ElapsedSeconds), phase.EtaSeconds is { } left ? Duration(left) : "unknown");
                    continue;
                }

                logger.LogInformation(
                    "progress: {Generation}/{GenerationsBudget} generations, {Activity}, {EvaluationsDone}/{EvaluationsBudget} evaluations, archive {ArchiveSize}, hypervolume {Hypervolume:G6}, best {Best}, eta {Eta}",
                    s.Generation, s.GenerationsBudget?.ToString(inv) ?? "-", progress.Activity.Text, s.EvaluationsDone,
                    s.EvaluationsBudget?.ToString(inv) ?? "-", s.ArchiveSize, s.Hypervolume,
                    string.Join(" ", s.Best.Select(b => string.Create(inv, $"{b.Key}={b.Value:G5}"))),
                    s.EtaSeconds is { } eta ? Duration(eta) : "unknown");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Whole seconds as hh:mm:ss.</summary>
    private static string Duration(double seconds) => TimeSpan.FromSeconds(Math.Round(seconds)).ToString("c", CultureInfo.InvariantCulture);
}
