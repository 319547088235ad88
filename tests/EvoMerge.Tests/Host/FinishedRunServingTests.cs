using EvoMerge.Host;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EvoMerge.Tests.Host;

/// <summary>
/// After the budget: the post-search phase's steps and ETA, and how long the endpoints stay up for the final scrape
/// (until a scrape begun after the final values, or EVOMERGE_FINAL_SCRAPE_WAIT, or a stop request; never for a run
/// nobody scraped).
/// </summary>
public sealed class FinishedRunServingTests
{
    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(10);

    [Fact]
    public void ThePhaseEtaIsTheTimePerStepSoFarTimesTheStepsLeft()
    {
        // 3 of 12 steps in 30 s: 10 s a step, 9 steps left.
        Assert.Equal(90, PhaseStatus.Create("scoring", 3, 12, 30).EtaSeconds);
        Assert.Null(PhaseStatus.Create("scoring", 0, 12, 30).EtaSeconds);
        Assert.Equal(0, PhaseStatus.Create("scoring", 12, 12, 50).EtaSeconds);
    }

    [Fact]
    public void DuringAPhaseTheActivityIsThePhaseAndItsSteps()
    {
        var progress = new RunProgress(new FakeTimeProvider());
        progress.BeginPhase("scoring the demo table");
        Assert.Equal(("scoring the demo table 0/0", 0, 0), progress.Activity);
        progress.PhaseStep(3, 12);
        Assert.Equal(("scoring the demo table 3/12", 3, 12), progress.Activity);
    }

    [Fact]
    public void TheWaitMustBeZeroOrPositive()
    {
        var validator = new SearchHostOptionsValidator();
        Assert.False(validator.Validate(null, new SearchHostOptions { FinalScrapeWaitSeconds = 0 }).Failed);
        var result = validator.Validate(null, new SearchHostOptions { FinalScrapeWaitSeconds = -1 });
        Assert.Equal("EVOMERGE_FINAL_SCRAPE_WAIT: -1 must be 0 or a positive number of seconds", Assert.Single(result.Failures!));
    }

    [Fact]
    public async Task AScrapeBegunAfterTheFinalValuesEndsTheWait()
    {
        var (serving, scrape, clock) = Serving();
        scrape.Served(begunAfterFinal: false);
        var wait = serving.ServeAsync(null!, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(14));
        scrape.Served(begunAfterFinal: false); // began before the values were final: does not count
        Assert.False(await Completes(wait, TimeSpan.FromMilliseconds(200)));
        scrape.Served(scrape.IsFinal);
        Assert.True(await Completes(wait, Soon));
    }

    [Fact]
    public async Task WithoutAScrapeTheWaitEndsAfterItsSeconds()
    {
        var (serving, scrape, clock) = Serving();
        scrape.Served(begunAfterFinal: false);
        var wait = serving.ServeAsync(null!, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(14));
        Assert.False(await Completes(wait, TimeSpan.FromMilliseconds(200)));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await Completes(wait, Soon));
    }

    [Fact]
    public async Task AStopRequestEndsTheWait()
    {
        var (serving, scrape, _) = Serving();
        scrape.Served(begunAfterFinal: false);
        using var stop = new CancellationTokenSource();
        var wait = serving.ServeAsync(null!, stop.Token);
        Assert.False(await Completes(wait, TimeSpan.FromMilliseconds(200)));
        stop.Cancel();
        Assert.True(await Completes(wait, Soon));
    }

    [Fact]
    public async Task ARunNobodyScrapedDoesNotWait()
    {
        var (serving, _, _) = Serving();
        Assert.True(await Completes(serving.ServeAsync(null!, CancellationToken.None), Soon));
    }

    /// <summary>True when <paramref name="task"/> completes within <paramref name="within"/> of real time.</summary>
    private static async Task<bool> Completes(Task task, TimeSpan within) => await Task.WhenAny(task, Task.Delay(within)) == task;

    private static (FinishedRunServing Serving, FinalScrape Scrape, FakeTimeProvider Clock) Serving()
    {
        var clock = new FakeTimeProvider();
        var scrape = new FinalScrape();
        var options = Options.Create(new SearchHostOptions { FinalScrapeWaitSeconds = 15 });
        return (new FinishedRunServing(new HostedSearch(), new RunProgress(clock), scrape, options, NullLogger<FinishedRunServing>.Instance, clock), scrape, clock);
    }
}
