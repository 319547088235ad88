namespace EvoMerge.Host;

/// <summary>
/// Whether <c>/metrics</c> has been scraped since the search's final values were set, so the host can stop serving as
/// soon as one scrape has seen them (see <see cref="SearchHostOptions.FinalScrapeWaitSeconds"/>). A scrape counts
/// only when it began after <see cref="ValuesFinal"/>.
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

    /// <summary>Records a scrape served; <paramref name="begunAfterFinal"/> is <see cref="IsFinal"/> read when it began.</summary>
    public void Served(bool begunAfterFinal)
    {
        _everScraped = true;
        if (begunAfterFinal) _scraped.TrySetResult();
    }
}
