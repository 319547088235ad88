using EvoMerge.Search.Runs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EvoMerge.Host;

/// <summary>
/// Runs the search on its own thread. A stop request (Ctrl+C, SIGTERM) cancels it at the next safe point: before the
/// next candidate's evaluation (the one in progress finishes). The abandoned generation is not checkpointed; the last
/// complete generation's checkpoint stays current and a resume redoes the abandoned generation from it. An unhandled
/// error writes a crash report to the run directory; a full disk writes nothing more (the host rethrows it). Either way
/// the application then stops; a search that reached its budget first runs the post-search phase and waits for the
/// final scrape (<see cref="FinishedRunServing"/>).
/// </summary>
public sealed class SearchWorker(HostedSearch search, RunProgress progress, FinishedRunServing serving, IHostApplicationLifetime lifetime,
    ILogger<SearchWorker> logger, TimeProvider clock) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stopping = stoppingToken.Register(() =>
        {
            if (search.Outcome != SearchOutcome.Running) return;
            progress.State = "stopping";
            logger.LogInformation("stop requested: stopping after the current candidate's evaluation");
        });
        var run = search.Run;
        search.Started = true;
        try
        {
            await Task.Factory.StartNew(() => run.Run(stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            search.Outcome = SearchOutcome.Finished;
            progress.State = "finished";
            await serving.ServeAsync(run, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            search.Outcome = SearchOutcome.Stopped;
            progress.State = "stopped";
            logger.LogInformation("stopped at a safe point: {Checkpoint}; continue with `evomerge resume {RunDirectory}`",
                GenerationNumbering.ValidCheckpoint(run.Generation), run.Setup.Config.RunDirectory);
        }
        catch (RunStorageFullException e)
        {
            search.Failure = e;
            search.Outcome = SearchOutcome.StorageFull;
            progress.State = "disk full";
        }
        catch (Exception e)
        {
            search.CrashReportPath = CrashReport.Write(run.Setup.Config.RunDirectory, e, progress.Snapshot(), clock);
            search.Outcome = SearchOutcome.Crashed;
            progress.State = "crashed";
            logger.LogCritical(e, "the search failed: {Message}; crash report {CrashReport}; {Checkpoint}", e.Message,
                search.CrashReportPath ?? "(could not be written)", GenerationNumbering.ValidCheckpoint(run.Generation));
        }
        finally
        {
            lifetime.StopApplication();
        }
    }
}
