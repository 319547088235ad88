using System.Globalization;
using EvoMerge.Search.Runs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EvoMerge.Host;

/// <summary>
/// What the host does once the search reached its budget, before it stops serving: runs the caller's
/// <see cref="PostSearchPhase"/> (its progress in <see cref="RunProgress"/>), then keeps <c>/metrics</c> up until a
/// scrape has seen the final values or <see cref="SearchHostOptions.FinalScrapeWaitSeconds"/> have passed since the
/// search ended, whichever comes first (a phase that took longer leaves nothing to wait). A run whose <c>/metrics</c>
/// was never scraped has no scraper to wait for and stops at once. A stop request ends either
/// at once: the phase is given the stop token, the wait is cancelled.
/// </summary>
public sealed class FinishedRunServing(HostedSearch search, RunProgress progress, FinalScrape scrape, IOptions<SearchHostOptions> options,
    ILogger<FinishedRunServing> logger, TimeProvider clock)
{
    /// <summary>Runs the phase and the final-scrape wait for <paramref name="run"/>, which has just finished.</summary>
    public async Task ServeAsync(SearchRun run, CancellationToken stopping)
    {
        long ended = clock.GetTimestamp();
        scrape.ValuesFinal();
        if (search.AfterSearch is { } phase) await RunPhase(phase, run, stopping);
        await scrape.WaitAsync(TimeSpan.FromSeconds(options.Value.FinalScrapeWaitSeconds) - clock.GetElapsedTime(ended), clock, logger, stopping);
    }

    private async Task RunPhase(PostSearchPhase phase, SearchRun run, CancellationToken stopping)
    {
        long started = clock.GetTimestamp();
        progress.BeginPhase(phase.Name);
        logger.LogInformation("{Phase}...", phase.Name);
        try
        {
            await Task.Factory.StartNew(() => phase.Work(run, progress.PhaseStep, line => logger.LogInformation("{Line}", line), stopping),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            logger.LogInformation("{Message}", string.Create(CultureInfo.InvariantCulture, $"{phase.Name}: done in {clock.GetElapsedTime(started).TotalSeconds:0.0} s"));
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            logger.LogInformation("stop requested: {Phase} stopped before it was done", phase.Name);
        }
        catch (Exception e)
        {
            search.PhaseFailure = e;
        }
    }
}
