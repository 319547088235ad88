using System.Diagnostics;
using System.Text.Json;
using EvoMerge.Demo;

using static EvoMerge.IntegrationTests.LoopbackHttp;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// One real hosted search, observed from outside: started with a metrics URL on a free 127.0.0.1 port, scraped over
/// HTTP while evaluations complete (and by a real Prometheus server through deploy/check-prometheus-scrape.sh when it
/// is installed), stopped with SIGTERM, then resumed, left to complete a generation and stopped again.
/// </summary>
public sealed class MonitoredSearch : IDisposable
{
    /// <summary>The grace period given to both processes.</summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(15);

    private readonly TempDirectory _temp = new();

    public MonitoredSearch()
    {
        var layout = TinySpecialists.Write(_temp.Path);
        string config = Path.Combine(layout.Root, "search.yml");
        File.WriteAllText(config, $"""
            {layout.SearchYaml(6)}
            budget:
              generations: 200
              evaluations: 100000
            seed: 5
            run_dir: runs/monitored
            """);
        RunDirectory = Path.Combine(_temp.Path, "runs", "monitored");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var environment = new Dictionary<string, string> { ["EVOMERGE_PROGRESS_INTERVAL"] = "1" };

        int port = FreePort();
        using (var search = ChildProcess.Start(environment, "search", config, "--metrics-url", $"http://127.0.0.1:{port}",
                   "--grace-period", GracePeriod.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "--progress", "log"))
        {
            string url = $"http://127.0.0.1:{port}";
            try
            {
                Wait(() => Get(http, url + "/healthz") is not null, TimeSpan.FromSeconds(60), "the search never served /healthz", search);
                Healthz = Get(http, url + "/healthz")!;
                FirstScrape = WaitForScrape(http, url, s => s.Sum("evomerge_evaluations_total") >= 1, "no evaluation counted", search);
                SecondScrape = WaitForScrape(http, url,
                    s => s.Sum("evomerge_generation") >= 2 && s.Sum("evomerge_evaluations_total") > FirstScrape.Sum("evomerge_evaluations_total"),
                    "two generations never completed", search);
                LiveStatus = JsonDocument.Parse(Get(http, url + "/status")!);
                if (ScrapeCheckRequired)
                {
                    var check = RunScript("deploy/check-prometheus-scrape.sh", $"127.0.0.1:{port}");
                    ScrapeCheck = check;
                }
                LastScrapeBeforeStop = Scrape(http, url) ?? throw new InvalidOperationException("scrape failed before the stop");

                var clock = Stopwatch.StartNew();
                PosixSignal.Send(search.Id, PosixSignal.Terminate);
                bool exited = search.WaitForExit(GracePeriod + TimeSpan.FromSeconds(20));
                StopSeconds = clock.Elapsed.TotalSeconds;
                if (!exited) throw new InvalidOperationException($"the search did not exit after SIGTERM; stderr:\n{search.Stderr}");
                StopExitCode = search.ExitCode;
                SearchStderr = search.Stderr;
            }
            catch (Exception e) when (e is not InvalidOperationException)
            {
                throw new InvalidOperationException($"{e.Message}; stderr so far:\n{search.Stderr}", e);
            }
        }

        StatusAfterStop = JsonDocument.Parse(Cli("status", RunDirectory));

        int resumePort = FreePort();
        using var resume = ChildProcess.Start(environment, "resume", RunDirectory, "--metrics-url", $"http://127.0.0.1:{resumePort}", "--progress", "log");
        int stoppedAt = StatusAfterStop.RootElement.GetProperty("generation").GetInt32();
        bool resumed = resume.WaitForLine($"generation {stoppedAt} done", TimeSpan.FromSeconds(60));
        ResumeScrape = Scrape(http, $"http://127.0.0.1:{resumePort}");
        PosixSignal.Send(resume.Id, PosixSignal.Terminate);
        bool resumeExited = resume.WaitForExit(GracePeriod + TimeSpan.FromSeconds(20));
        ResumeStderr = resume.Stderr;
        if (!resumed || !resumeExited) throw new InvalidOperationException($"the resume did not complete generation {stoppedAt} and stop; stderr:\n{ResumeStderr}");
        ResumeExitCode = resume.ExitCode;
        StatusAfterResume = JsonDocument.Parse(Cli("status", RunDirectory));
    }

    /// <summary>True when the Prometheus checks must run: CI=true, or promtool and prometheus are installed.</summary>
    public static bool ScrapeCheckRequired =>
        Environment.GetEnvironmentVariable("CI") == "true" || (OnPath("promtool") && OnPath("prometheus"));

    public string RunDirectory { get; }

    public string Healthz { get; } = "";

    public PrometheusExposition FirstScrape { get; }

    public PrometheusExposition SecondScrape { get; }

    public PrometheusExposition LastScrapeBeforeStop { get; }

    public PrometheusExposition? ResumeScrape { get; }

    public JsonDocument LiveStatus { get; }

    public CliRunner.Result? ScrapeCheck { get; }

    public double StopSeconds { get; }

    public int StopExitCode { get; }

    public string SearchStderr { get; } = "";

    public JsonDocument StatusAfterStop { get; }

    public int ResumeExitCode { get; }

    public string ResumeStderr { get; }

    public JsonDocument StatusAfterResume { get; }

    /// <summary>Runs a repository script with bash and captures its output.</summary>
    public static CliRunner.Result RunScript(string script, params string[] args)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = CliRunner.RepositoryRoot };
        info.ArgumentList.Add(Path.Combine(CliRunner.RepositoryRoot, script));
        foreach (string a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(90)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} did not finish within 90 s");
        }
        return new CliRunner.Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, tool)));

    private static string Cli(params string[] args)
    {
        var result = CliRunner.Run(args);
        if (result.ExitCode != 0) throw new InvalidOperationException($"evomerge {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}");
        return result.Stdout;
    }

    private static PrometheusExposition? Scrape(HttpClient http, string url) =>
        Get(http, url + "/metrics") is { } text ? PrometheusExposition.Parse(text) : null;

    private static PrometheusExposition WaitForScrape(HttpClient http, string url, Func<PrometheusExposition, bool> until, string problem, ChildProcess process)
    {
        PrometheusExposition? last = null;
        Wait(() => (last = Scrape(http, url)) is { } s && until(s), TimeSpan.FromSeconds(60), problem, process);
        return last!;
    }

    private static void Wait(Func<bool> condition, TimeSpan timeout, string problem, ChildProcess process)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (process.HasExited) throw new InvalidOperationException($"{problem}: the process exited with {process.ExitCode}; stderr:\n{process.Stderr}");
            if (DateTime.UtcNow > deadline) throw new InvalidOperationException($"{problem} within {timeout}; stderr:\n{process.Stderr}");
            Thread.Sleep(200);
        }
    }

    public void Dispose()
    {
        LiveStatus.Dispose();
        StatusAfterStop.Dispose();
        StatusAfterResume.Dispose();
        _temp.Dispose();
    }
}
