using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using EvoMerge.Plots;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace EvoMerge.Host;

/// <summary>
/// Runs a search inside the .NET Generic Host (ASP.NET Core slim builder): settings from <c>EVOMERGE_</c> environment
/// variables and command-line overrides, validated before anything starts; console logs (text or JSON lines) on
/// stderr; <c>/metrics</c> (Prometheus), <c>/healthz</c> and <c>/status</c> on the metrics URL; live or logged progress;
/// graceful stop within the grace period. A full disk in the run directory is rethrown once the host has stopped
/// (<see cref="RunStorageFullException"/>, an <see cref="IOException"/>). Exit codes: 0 finished or stopped at a safe point, 70 crashed, 75 the grace
/// period ran out, 128+N a second signal N. Wall-clock time is read from the <see cref="TimeProvider"/> among the
/// services (<see cref="TimeProvider.System"/> unless the caller's configuration registered another).
/// </summary>
public static class SearchHost
{
    /// <summary>Exit code after a crash.</summary>
    public const int CrashedExitCode = 70;

    /// <summary>Exit code when the search did not reach a safe point within the grace period.</summary>
    public const int GraceExpiredExitCode = 75;

    /// <summary>
    /// Opens the run with <paramref name="open"/> (given the host's observer; errors there propagate before anything
    /// starts), serves it until it ends, then calls <paramref name="finished"/> when the budget was reached. Progress
    /// is shown on <paramref name="display"/> when it is live (see <see cref="ILiveProgressDisplay"/>), logged otherwise.
    /// <paramref name="afterSearch"/> runs once the budget is reached, before the endpoints go down; its error, if any,
    /// is rethrown once the host has stopped (before <paramref name="finished"/>). The endpoints then stay up until the
    /// final values are scraped (see <see cref="SearchHostOptions.FinalScrapeWaitSeconds"/>).
    /// </summary>
    public static int Run(Func<ISearchObserver, SearchRun> open, Func<SearchRun, string> startMessage, IReadOnlyDictionary<string, string?> overrides,
        Action<SearchRun> finished, ILiveProgressDisplay? display = null, PostSearchPhase? afterSearch = null) =>
        Run((observer, _) => open(observer), startMessage, overrides, finished, null, display, afterSearch);

    /// <summary>
    /// As <see cref="Run(Func{ISearchObserver, SearchRun}, Func{SearchRun, string}, IReadOnlyDictionary{string, string?}, Action{SearchRun}, ILiveProgressDisplay?, PostSearchPhase?)"/>,
    /// with <paramref name="configure"/> adding services to the host before its own (e.g. a cluster silo, started
    /// before the search) and <paramref name="open"/> given the host's services. An <see cref="IWorkerStatusSource"/>
    /// among them puts its workers into <c>/status</c>.
    /// </summary>
    public static int Run(Func<ISearchObserver, IServiceProvider, SearchRun> open, Func<SearchRun, string> startMessage,
        IReadOnlyDictionary<string, string?> overrides, Action<SearchRun> finished, Action<WebApplicationBuilder>? configure, ILiveProgressDisplay? display = null,
        PostSearchPhase? afterSearch = null)
    {
        var (builder, options, endpoint, fallback) = CreateBuilder(overrides);
        bool live = options.ShowsLive(display);
        if (live) builder.Logging.AddFilter(typeof(SearchLogObserver).FullName, LogLevel.Warning);
        if (live) builder.Logging.AddFilter(typeof(FinishedRunServing).FullName, LogLevel.Warning);
        configure?.Invoke(builder);
        builder.Services.TryAddSingleton(TimeProvider.System);

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.AddSingleton<RunProgress>();
        builder.Services.AddSingleton<SearchMetrics>();
        builder.Services.AddSingleton<SearchLogObserver>();
        builder.Services.AddSingleton<HostedSearch>();
        builder.Services.AddSingleton<FinalScrape>();
        builder.Services.AddSingleton<FinishedRunServing>();
        builder.Services.AddHostedService<RepeatedSignalExit>();
        builder.Services.AddHostedService<SearchWorker>();
        if (live) builder.Services.AddHostedService(services => new LiveProgress(display!, services.GetRequiredService<RunProgress>()));
        else if (options.Progress != "none") builder.Services.AddHostedService<ProgressLog>();
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("evomerge", serviceVersion: RunIdentity.ProgramVersion))
            .WithMetrics(m => m.AddMeter(SearchMeter.Name).AddPrometheusExporter(o => o.ScrapeResponseCacheDurationMilliseconds = 0));

        using var app = builder.Build();
        var progress = app.Services.GetRequiredService<RunProgress>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("EvoMerge.Host.SearchHost");
        var plots = new RunPlots(problem => logger.LogWarning("{Problem}", problem), options.ScoreCache);
        var observer = new SearchObserverFanOut(
        [
            progress,
            app.Services.GetRequiredService<SearchMetrics>(),
            app.Services.GetRequiredService<SearchLogObserver>(),
            plots,
        ]);
        var run = open(observer, app.Services);
        var workers = app.Services.GetService<IWorkerStatusSource>();
        var search = app.Services.GetRequiredService<HostedSearch>();
        search.Open(run);
        search.AfterSearch = afterSearch;
        try
        {
            if (run.BudgetReached)
            {
                logger.LogInformation("{Message}", FormattableString.Invariant(
                    $"{run.Setup.Config.RunDirectory}: already finished after {run.Generation} generations ({run.EvaluationsScored} candidates scored); nothing to resume"));
                return 0;
            }
            progress.Attach(run, RunIdentity.Of(run.Setup.Config.RunDirectory, run.Setup.Config.Text));
            plots.Attach(run);
            var scrape = app.Services.GetRequiredService<FinalScrape>();
            scrape.CountScrapes(app, options.MetricsPath());
            app.MapPrometheusScrapingEndpoint(options.MetricsPath());
            app.MapGet("/healthz", () => Results.Text("ok\n"));
            app.MapGet("/status", () => progress.Snapshot() is { } s
                ? Results.Text(System.Text.Json.JsonSerializer.Serialize(s with { Workers = workers?.Workers() }, RunStatus.Json) + "\n", "application/json")
                : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));

            logger.LogInformation("{Message}", startMessage(run));
            foreach (string warning in run.Warnings) logger.LogWarning("{Problem}", warning);
            if (fallback is not null) logger.LogWarning("{Problem}", fallback);
            if (Start(app, search, $"stopped before the search started; continue with `evomerge resume {search.Run.Setup.Config.RunDirectory}`"))
            {
                string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? $"http://{endpoint}";
                logger.LogInformation("metrics on {Address}{Path}, status on {Address}/status", address, options.MetricsPath(), address);
                app.WaitForShutdown();
            }
        }
        catch (Exception e)
        {
            CrashReport.Place(e, run.Setup.Config.RunDirectory);
            throw;
        }
        finally
        {
            // A search thread still inside an evaluation keeps its run; the OS releases the lock at exit.
            if (!search.Started || search.Outcome != SearchOutcome.Running) run.Dispose();
        }
        if (search.PhaseFailure is { } failure) ExceptionDispatchInfo.Throw(failure);
        switch (search.Outcome)
        {
            case SearchOutcome.Finished:
                finished(run);
                return 0;
            case SearchOutcome.Stopped:
                return 0;
            case SearchOutcome.Crashed:
                return CrashedExitCode;
            case SearchOutcome.StorageFull:
                throw search.Failure!;
            default:
                logger.LogError("{Problem}", FormattableString.Invariant(
                    $"the search did not reach a safe point within the grace period ({options.GracePeriodSeconds} s); {GenerationNumbering.ValidCheckpoint(run.Generation)}: evomerge resume {run.Setup.Config.RunDirectory}"));
                return GraceExpiredExitCode;
        }
    }

    /// <summary>
    /// The host every hosted run starts from (a search here, a sweep in <see cref="SweepHost"/>): settings from
    /// <c>EVOMERGE_</c> variables and <paramref name="overrides"/>, validated; console logs on stderr; the grace period as
    /// the shutdown timeout; Kestrel on the metrics endpoint (a free port when the default one is taken, said in the fallback).
    /// </summary>
    internal static HostedRunBuilder CreateBuilder(IReadOnlyDictionary<string, string?> overrides)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "evomerge" });
        builder.Configuration.AddEnvironmentVariables("EVOMERGE_").AddInMemoryCollection(overrides);
        var options = ReadOptions(builder.Configuration);
        bool explicitUrl = builder.Configuration["metrics_url"] is not null;
        var endpoint = MetricsEndpoint(options.MetricsUri(), explicitUrl, out string? fallback);

        builder.Logging.ClearProviders();
        if (options.LogFormat == "json")
            builder.Logging.AddJsonConsole(o => o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ");
        else
            builder.Logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("OpenTelemetry", LogLevel.Warning);
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(options.GracePeriodSeconds);
            o.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });
        builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint));
        return new HostedRunBuilder(builder, options, endpoint, fallback);
    }

    /// <summary>
    /// Starts the host; false when the run ended (finished or failed at once) or a stop was requested (Ctrl+C,
    /// SIGTERM) while the host was still starting, which cancels the start. A stop request then stops what had started
    /// like one after the start (a run that never started counts as stopped, and <paramref name="stoppedBeforeStart"/>
    /// is logged); the outcome decides the exit code. Used by search and sweep hosts.
    /// </summary>
    internal static bool Start(WebApplication app, IHostedRun run, string stoppedBeforeStart)
    {
        try
        {
            app.Start();
            return true;
        }
        catch (OperationCanceledException) when (run.Outcome != SearchOutcome.Running || app.Lifetime.ApplicationStopping.IsCancellationRequested)
        {
            if (run.Outcome == SearchOutcome.Running)
            {
                app.StopAsync().GetAwaiter().GetResult();
                if (!run.Started)
                {
                    run.Outcome = SearchOutcome.Stopped;
                    app.Logger.LogInformation("{Message}", stoppedBeforeStart);
                }
            }
            return false;
        }
    }

    internal static SearchHostOptions ReadOptions(IConfiguration configuration)
    {
        var options = new SearchHostOptions();
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException($"invalid host setting: {e.Message}");
        }
        var result = new SearchHostOptionsValidator().Validate(null, options);
        if (result.Failed) throw new ArgumentException(string.Join("; ", result.Failures));
        return options;
    }

    /// <summary>
    /// The address to listen on. When the default URL's port is taken (another run on this machine), a free port is
    /// used instead and <paramref name="fallback"/> says so; a port given explicitly must be free.
    /// </summary>
    private static IPEndPoint MetricsEndpoint(Uri uri, bool explicitUrl, out string? fallback)
    {
        fallback = null;
        var address = uri.Host == "localhost" ? IPAddress.Loopback : IPAddress.Parse(uri.Host);
        var endpoint = new IPEndPoint(address, uri.Port);
        if (uri.Port == 0 || IsFree(endpoint)) return endpoint;
        if (explicitUrl) throw new IOException($"--metrics-url {uri}: {endpoint} is already in use; choose another port");
        var free = new IPEndPoint(address, FreePort(address));
        fallback = $"the default metrics address {endpoint} is in use (another run?); serving metrics on {free} instead";
        return free;
    }

    private static bool IsFree(IPEndPoint endpoint)
    {
        try
        {
            var listener = new TcpListener(endpoint);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort(IPAddress address)
    {
        var listener = new TcpListener(address, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
