using EvoMerge.Plots;
using EvoMerge.Search.Runs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EvoMerge.Host;

/// <summary>
/// Runs the sweep on its own thread. A stop request (Ctrl+C, SIGTERM) lets the point in progress finish and be
/// checkpointed, then stops before the next one; <c>evomerge sweep --resume</c> continues from there. An unhandled
/// error writes a crash report to the run directory; a full disk writes nothing more (the host rethrows it). Either
/// way the application then stops. A finished sweep keeps <c>/metrics</c> up until a scrape has seen the final values, as a
/// search does (<see cref="FinalScrape.WaitAsync"/>, at most <see cref="SearchHostOptions.FinalScrapeWaitSeconds"/>).
/// </summary>
public sealed class SweepWorker(HostedSweep sweep, FinalScrape scrape, IOptions<SearchHostOptions> options, IHostApplicationLifetime lifetime,
    ILogger<SweepWorker> logger, TimeProvider clock) : BackgroundService
{

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = stoppingToken.Register(() =>
        {
            if (sweep.Outcome != SearchOutcome.Running) return;
            sweep.State = "stopping";
            logger.LogInformation("stop requested: stopping after the current point");
        });
        var run = sweep.Run;
        string directory = run.Setup.Config.RunDirectory;
        sweep.Started = true;
        sweep.State = "running";
        try
        {
            sweep.Table = await Task.Factory.StartNew(() => PlottedSweep.Finish(run, line => logger.LogInformation("{Line}", line), stoppingToken),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            sweep.Outcome = SearchOutcome.Finished;
            sweep.State = "finished";
            scrape.ValuesFinal();
            await scrape.WaitAsync(TimeSpan.FromSeconds(options.Value.FinalScrapeWaitSeconds), clock, logger, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            sweep.Outcome = SearchOutcome.Stopped;
            sweep.State = "stopped";
            var progress = run.Progress;
            logger.LogInformation("stopped at a safe point: {Done} of {Total} points checkpointed; continue with `evomerge sweep --resume {RunDirectory}`",
                progress.Done, progress.Total, directory);
        }
        catch (RunStorageFullException e)
        {
            sweep.Failure = e;
            sweep.Outcome = SearchOutcome.StorageFull;
            sweep.State = "disk full";
        }
        catch (Exception e)
        {
            string? report = CrashReport.Write(directory, e, null, clock);
            sweep.Outcome = SearchOutcome.Crashed;
            sweep.State = "crashed";
            logger.LogCritical(e, "the sweep failed: {Message}; crash report {CrashReport}; continue with `evomerge sweep --resume {RunDirectory}`",
                e.Message, report ?? "(could not be written)", directory);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
