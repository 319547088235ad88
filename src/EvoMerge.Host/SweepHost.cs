using EvoMerge.Plots;
using EvoMerge.Search.Monitoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace EvoMerge.Host;

/// <summary>
/// Runs <c>evomerge sweep</c> in the host a search runs in (<see cref="SearchHost.CreateBuilder"/>: the same settings,
/// <c>EVOMERGE_</c> variables and command-line overrides, logs on stderr, metrics endpoint and grace period):
/// <c>/metrics</c> (<see cref="SweepMetrics"/>), <c>/healthz</c> and <c>/status</c> (<see cref="SweepStatus"/>) while
/// the sweep runs, and after it finished until the final values are scraped (as a search's, <see cref="FinalScrape"/>);
/// one log line per point; progress as <c>--progress</c> says (a live display on <see cref="ILiveSweepDisplay"/>,
/// <see cref="SweepProgressLog"/> lines, or none); a stop (Ctrl+C, SIGTERM) finishes and checkpoints the point in progress
/// (<see cref="SweepWorker"/>), a second signal exits at once (<see cref="RepeatedSignalExit"/>). Exit codes as a
/// search's: 0 finished or stopped at a safe point, 70 crashed, 75 the grace period ran out, 128+N a second signal N.
/// </summary>
public static class SweepHost
{
    /// <summary>The log category of the per-point lines (<c>sweep point K of N: …</c>), kept off the terminal while a live display runs.</summary>
    public const string PointsCategory = "EvoMerge.Host.SweepPoints";

    /// <summary>
    /// Opens the sweep (config <paramref name="target"/>, or with <paramref name="resume"/> its run directory; errors
    /// there propagate before anything is served), serves it until it ends, and hands the table (Markdown) to
    /// <paramref name="finished"/> when it finished.
    /// </summary>
    public static int Run(string target, bool resume, IReadOnlyDictionary<string, string?> overrides, Action<string> finished, ILiveSweepDisplay? display = null)
    {
        var (builder, options, endpoint, fallback) = SearchHost.CreateBuilder(overrides);
        bool live = options.ShowsLive(display is not null, display?.HasTerminal == true);
        if (live) builder.Logging.AddFilter(PointsCategory, LogLevel.Warning);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton<HostedSweep>();
        builder.Services.AddSingleton<SweepMetrics>();
        builder.Services.AddSingleton<FinalScrape>();
        builder.Services.AddHostedService<RepeatedSignalExit>();
        builder.Services.AddHostedService<SweepWorker>();
        if (live) builder.Services.AddHostedService(services => new LiveSweepProgress(display!, services.GetRequiredService<HostedSweep>()));
        else if (options.Progress != "none") builder.Services.AddHostedService<SweepProgressLog>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("evomerge", serviceVersion: RunIdentity.ProgramVersion))
            .WithMetrics(m => m.AddMeter(SearchMeter.Name).AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));

        using var app = builder.Build();
        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        var logger = loggers.CreateLogger("EvoMerge.Host.SweepHost");
        var lines = logger; // the opening's lines (resume, score cache) always; from then on the per-point lines, off the terminal while a live display runs
        var sweep = app.Services.GetRequiredService<HostedSweep>();
        var run = PlottedSweep.Open(target, resume, line => lines.LogInformation("{Line}", line), options.ScoreCache);
        lines = loggers.CreateLogger(PointsCategory);
        sweep.Open(run);
        _ = app.Services.GetRequiredService<SweepMetrics>();
        try
        {
            app.Services.GetRequiredService<FinalScrape>().CountScrapes(app, options.MetricsPath());
            app.MapPrometheusScrapingEndpoint(options.MetricsPath());
            app.MapGet("/healthz", () => Results.Text("ok\n"));
            app.MapGet("/status", () => Results.Text(System.Text.Json.JsonSerializer.Serialize(sweep.Snapshot(), RunStatus.Json) + "\n", "application/json"));
            logger.LogInformation("{Message}", $"sweep in {run.Setup.Config.RunDirectory}");
            if (fallback is not null) logger.LogWarning("{Problem}", fallback);
            if (SearchHost.Start(app, sweep, $"stopped before the sweep started; continue with `evomerge sweep --resume {sweep.Run.Setup.Config.RunDirectory}`"))
            {
                string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? $"http://{endpoint}";
                logger.LogInformation("metrics on {Address}{Path}, status on {Address}/status", address, options.MetricsPath(), address);
                app.WaitForShutdown();
            }
        }
        finally
        {
            // A sweep thread still inside a point keeps its run; the OS releases the lock at exit.
            if (!sweep.Started || sweep.Outcome != SearchOutcome.Running) run.Dispose();
        }
        switch (sweep.Outcome)
        {
            case SearchOutcome.Finished:
                finished(sweep.Table!);
                return 0;
            case SearchOutcome.Stopped:
                return 0;
            case SearchOutcome.Crashed:
                return SearchHost.CrashedExitCode;
            case SearchOutcome.StorageFull:
                throw sweep.Failure!;
            default:
                logger.LogError("{Problem}", FormattableString.Invariant(
                    $"the sweep did not reach a safe point within the grace period ({options.GracePeriodSeconds} s); the points checkpointed so far are kept: evomerge sweep --resume {run.Setup.Config.RunDirectory}"));
                return SearchHost.GraceExpiredExitCode;
        }
    }
}
