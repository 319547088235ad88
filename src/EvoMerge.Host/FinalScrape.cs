using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EvoMerge.Host;

/// <summary>
/// Whether <c>/metrics</c> has been scraped since a run's final values were set, so the host (a search's or a
/// sweep's) can stop serving as soon as one scrape has seen them (see <see cref="SearchHostOptions.FinalScrapeWaitSeconds"/>).
/// A scrape counts only when it began after <see cref="ValuesFinal"/>.
/// </summary>
public sealed class FinalScrape
{
    private readonly TaskCompletionSource _scraped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _final;
    private volatile bool _everScraped;

    /// <summary>True once the final values are set.</summary>
    public bool IsFinal => _final;

    /// <summary>True once any scrape has been served: something watches the run.</summary>
    public bool EverScraped => _everScraped;

    /// <summary>Completes when a scrape that began after <see cref="ValuesFinal"/> has been served.</summary>
    public Task Scraped => _scraped.Task;

    /// <summary>Marks the values from now on as final.</summary>
    public void ValuesFinal() => _final = true;

    /// <summary>Counts every successful request to <paramref name="metricsPath"/> of <paramref name="app"/> as a scrape (see <see cref="Served"/>).</summary>
    public void CountScrapes(IApplicationBuilder app, string metricsPath) =>
        app.Use(async (context, next) =>
        {
            bool final = IsFinal;
            await next(context);
            if (context.Request.Path == metricsPath && context.Response.StatusCode == StatusCodes.Status200OK) Served(final);
        });

    /// <summary>
    /// Waits until a scrape has seen the final values, at most <paramref name="wait"/>; returns at once when the wait
    /// is not positive, nothing ever scraped the run, one already has, or <paramref name="stopping"/> is cancelled
    /// (which also ends the wait). Says on <paramref name="logger"/> that it waits.
    /// </summary>
    public async Task WaitAsync(TimeSpan wait, TimeProvider clock, ILogger logger, CancellationToken stopping)
    {
        if (wait <= TimeSpan.Zero || !EverScraped || stopping.IsCancellationRequested || Scraped.IsCompleted) return;
        logger.LogInformation("{Message}", string.Create(CultureInfo.InvariantCulture,
            $"serving the final metrics until they are scraped, at most {wait.TotalSeconds:0.#} s more (EVOMERGE_FINAL_SCRAPE_WAIT)"));
        try
        {
            await Scraped.WaitAsync(wait, clock, stopping);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Records a scrape served; <paramref name="begunAfterFinal"/> is <see cref="IsFinal"/> read when it began.</summary>
    public void Served(bool begunAfterFinal)
    {
        _everScraped = true;
        if (begunAfterFinal) _scraped.TrySetResult();
    }
}
