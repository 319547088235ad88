using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using EvoMerge.Host;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using EvoMerge.Tensors;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge demo [--config FILE] [--seed N] [--run-dir DIR] [--budget N] [--minutes M] [--limit N] [--search-only] [host options]</c>:
/// runs the bundled demo search (a normal hosted <c>evomerge search</c> of <c>experiments/demo/search.yml</c>: live
/// progress, metrics endpoint, checkpoints) over the tiny specialists in <c>models/</c>, then prints and writes the
/// test-split table of <see cref="DemoTableBuilder"/>.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = $"Search config to run (default: the repository's {DemoSearchConfig.DefaultRelativePath})." };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the search (default: the config's)." };
        var runDir = new Option<DirectoryInfo?>("--run-dir") { Description = "Run directory (default: runs/demo-SEED in the repository, or the next free runs/demo-SEED-N)." };
        var budget = new Option<int?>("--budget") { Description = "Evaluation budget: candidates scored (default: the config's)." };
        var minutes = new Option<double?>("--minutes") { Description = "Wall-clock budget of the search in minutes (default: the config's)." };
        var limit = new Option<int?>("--limit") { Description = "Score at most N documents per task in the final table (a quick check; default all)." };
        var datasets = new Option<DirectoryInfo?>("--datasets") { Description = "Skill datasets with their task YAMLs (default: datasets/ next to experiments/)." };
        var upperBound = new Option<DirectoryInfo?>("--upper-bound") { Description = "Multitask model shown as the upper bound (default: multitask next to the base model, when present)." };
        var searchOnly = new Option<bool>("--search-only") { Description = "Run the search and stop (no table), e.g. to compare optimizers on dev." };
        var tableOnly = new Option<bool>("--table-only") { Description = "Do not search: score the table of the finished search in --run-dir (e.g. one run with --search-only or evomerge search)." };
        var host = new SearchHostCommandOptions();
        var command = new Command("demo", "Run the bundled demo search over tiny specialist models and print a test-split table against sources, baselines and the multitask model.")
        {
            config, seed, runDir, budget, minutes, limit, datasets, upperBound, searchOnly, tableOnly,
        };
        host.AddTo(command);
        command.SetAction(parse =>
        {
            var total = Stopwatch.StartNew();
            if (parse.GetValue(tableOnly))
            {
                if (parse.GetValue(searchOnly)) throw new ArgumentException("--table-only and --search-only exclude each other");
                string[] searchOptions = [.. new Option[] { config, seed, budget, minutes }.Where(o => parse.GetResult(o) is not null).Select(o => o.Name)];
                if (searchOptions.Length > 0)
                    throw new ArgumentException($"--table-only scores the finished run in --run-dir as it was searched: {string.Join(", ", searchOptions)} cannot apply");
                string finishedRun = parse.GetValue(runDir)?.FullName ?? throw new ArgumentException("--table-only: give the finished run with --run-dir");
                var state = RunStatusReader.Read(finishedRun);
                if (state.State != "finished")
                    throw new ArgumentException($"--run-dir {finishedRun}: the search {(state.Alive ? "is still running" : "stopped before its budget")} (generation {state.Generation}, {state.EvaluationsDone} evaluations); {(state.Alive ? "wait for it" : $"finish it with `evomerge resume {finishedRun}`")}, then score the table");
                var runSetup = SearchSetup.Open(finishedRun);
                string datasetsOfRun = parse.GetValue(datasets)?.FullName
                    ?? Path.GetFullPath(Path.Combine(DemoSearchConfig.Locate(), "..", "..", "..", "datasets"));
                return WriteTable(runSetup, datasetsOfRun, UpperBound(parse.GetValue(upperBound), runSetup.Config.BaseModel),
                    parse.GetValue(limit), null, total);
            }
            string configFile = parse.GetValue(config)?.FullName ?? DemoSearchConfig.Locate();
            string root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(configFile)!, "..", ".."));
            if (parse.GetValue(budget) is <= 0) throw new ArgumentException("--budget: must be a positive number of evaluations");
            if (parse.GetValue(minutes) is { } m && !(m > 0)) throw new ArgumentException("--minutes: must be positive");
            if (parse.GetValue(limit) is <= 0) throw new ArgumentException("--limit: must be positive");
            var probe = DemoSearchConfig.Read(configFile, parse.GetValue(seed), null, null, null);
            bool inRepository = configFile.StartsWith(Path.Combine(root, "experiments") + Path.DirectorySeparatorChar, StringComparison.Ordinal);
            string run = parse.GetValue(runDir)?.FullName ?? FreeRunDirectory(Path.Combine(inRepository ? root : Directory.GetCurrentDirectory(), "runs"), probe.Seed);
            var settings = DemoSearchConfig.Read(configFile, parse.GetValue(seed), parse.GetValue(budget), parse.GetValue(minutes), run);
            string datasetsDirectory = parse.GetValue(datasets)?.FullName ?? Path.Combine(root, "datasets");
            if (!Directory.Exists(datasetsDirectory)) throw new DirectoryNotFoundException($"{datasetsDirectory}: the skill datasets are not there; pass --datasets");
            string? upper = UpperBound(parse.GetValue(upperBound), settings.BaseModel);

            var overrides = new Dictionary<string, string?>(host.Overrides(parse), StringComparer.OrdinalIgnoreCase);
            if (!overrides.ContainsKey("metrics_url") && Environment.GetEnvironmentVariable("EVOMERGE_METRICS_URL") is not { Length: > 0 })
                overrides["metrics_url"] = MetricsUrl();
            string metrics = overrides.TryGetValue("metrics_url", out var url) && url is not null ? url : Environment.GetEnvironmentVariable("EVOMERGE_METRICS_URL")!;
            var inv = CultureInfo.InvariantCulture;
            var b = settings.Budget;
            Console.WriteLine($"evomerge demo: {settings.File}, seed {settings.Seed}, optimizer {settings.Optimizer.OptimizerName}, {settings.Models.Count} sources, objectives {string.Join(", ", settings.Objectives.Select(o => o.Name))} (dev)");
            Console.WriteLine(string.Create(inv, $"budget: {b.Evaluations?.ToString(inv) ?? "-"} evaluations, {b.Generations?.ToString(inv) ?? "-"} generations, {(b.WallClockSeconds is { } w ? $"{w:0} s" : "-")} wall clock (whichever comes first)"));
            Console.WriteLine($"run directory: {settings.RunDirectory}");
            Console.WriteLine($"metrics: {metrics.TrimEnd('/')}{(new Uri(metrics).AbsolutePath is "/" or "" ? "/metrics" : "")}  (/status and /healthz on the same address)");

            bool finished = false;
            var searchClock = Stopwatch.StartNew();
            int code = SearchHost.Run(
                observer => SearchRun.Start(settings, observer),
                r => $"demo search in {settings.RunDirectory}: {r.Setup.Layout.Space.RealCount} real and {r.Setup.Layout.Space.CategoryGeneCount} categorical genes, optimizer {settings.Optimizer.OptimizerName}, seed {settings.Seed}",
                overrides,
                r =>
                {
                    finished = true;
                    SearchCommand.PrintSummary(r);
                },
                new TerminalProgress());
            double searchSeconds = searchClock.Elapsed.TotalSeconds;
            if (code != 0 || !finished)
            {
                if (code == 0) Console.WriteLine($"stopped before the budget; continue with: evomerge resume {settings.RunDirectory} (the table is not written)");
                return code;
            }
            if (parse.GetValue(searchOnly)) return 0;

            return WriteTable(SearchSetup.Open(settings.RunDirectory), datasetsDirectory, upper, parse.GetValue(limit), searchSeconds, total);
        });
        return command;
    }

    /// <summary>The multitask model given, or <c>multitask</c> next to the base model when it exists.</summary>
    private static string? UpperBound(DirectoryInfo? given, string baseModel)
    {
        if (given is not null) return given.FullName;
        string sibling = Path.Combine(Path.GetDirectoryName(baseModel.TrimEnd('/'))!, "multitask");
        return Directory.Exists(sibling) ? sibling : null;
    }

    /// <summary>Scores the table of the finished run of <paramref name="setup"/>, prints it and writes it into the run directory.</summary>
    private static int WriteTable(SearchSetup setup, string datasetsDirectory, string? upper, int? limit, double? searchSeconds, Stopwatch total)
    {
        if (!Directory.Exists(datasetsDirectory)) throw new DirectoryNotFoundException($"{datasetsDirectory}: the skill datasets are not there; pass --datasets");
        var inv = CultureInfo.InvariantCulture;
        string runDirectory = setup.Config.RunDirectory;
        var files = new RunFiles(runDirectory);
        var checkpoint = JsonSerializer.Deserialize<SearchCheckpoint>(File.ReadAllText(files.Checkpoint), SearchCheckpoint.Json)
            ?? throw new InvalidDataException($"{files.Checkpoint}: empty");
        var facts = new Dictionary<string, string>
        {
            ["config"] = setup.Config.File,
            ["seed"] = setup.Config.Seed.ToString(inv),
            ["optimizer"] = setup.Config.Optimizer.OptimizerName,
            ["generations"] = checkpoint.Generation.ToString(inv),
            ["evaluations"] = checkpoint.EvaluationsScored.ToString(inv),
            ["hypervolume"] = (checkpoint.Statistics.Count > 0 ? checkpoint.Statistics[^1].Hypervolume : 0).ToString("R", inv),
            ["archive_size"] = checkpoint.Archive.Count.ToString(inv),
            ["machine"] = $"{Environment.ProcessorCount} logical CPUs, {RuntimeInformation.OSDescription}",
            ["version"] = RunIdentity.ProgramVersion,
        };
        if (searchSeconds is { } seconds) facts["search_seconds"] = seconds.ToString("0.0", inv);
        Console.Error.WriteLine("scoring the table on the test splits...");
        var table = new DemoTableBuilder(setup, datasetsDirectory, limit, line => Console.Error.WriteLine(line))
            .Build(checkpoint.Archive.Select(e => e.Payload).ToArray(), upper, facts);
        var withTotal = table with { Facts = new Dictionary<string, string>(table.Facts) { ["total_seconds"] = total.Elapsed.TotalSeconds.ToString("0.0", inv) } };
        string markdown = Header(withTotal) + withTotal.ToMarkdown();
        AtomicFile.WriteAllText(Path.Combine(runDirectory, DemoTable.MarkdownFileName), markdown);
        AtomicFile.WriteAllText(Path.Combine(runDirectory, DemoTable.JsonFileName), withTotal.ToJson() + "\n");
        Console.WriteLine();
        Console.Write(markdown);
        Console.WriteLine();
        Console.WriteLine($"wrote {Path.Combine(runDirectory, DemoTable.MarkdownFileName)} and {DemoTable.JsonFileName}; plots: {Plots(runDirectory)}");
        Console.WriteLine($"export a member: evomerge export {runDirectory} --member K --out DIR");
        return 0;
    }

    private static string Header(DemoTable table)
    {
        var f = table.Facts;
        return $"Test-split accuracy in % (± standard error). Search: {f["optimizer"]}, seed {f["seed"]}, {f["evaluations"]} evaluations in {f["generations"]} generations, "
            + (f.TryGetValue("search_seconds", out var search) ? $"{search} s" : "search time not measured here (--table-only)")
            + $"; table {f["table_seconds"]} s; total {f["total_seconds"]} s; {f["machine"]}."
            + (f.TryGetValue("limit", out var limit) ? $" Only the first {limit} documents of each task were scored (--limit): a quick check, not the result." : "")
            + "\nRows are chosen on dev (dev average = the same six columns on the dev splits), columns are held-out test tasks; average = mean of the columns."
            + $"\nvs {table.Reference.Model} (the source with the best dev average) = the row's average minus its, ± the standard error of the per-document differences (same documents, so paired).\n\n";
    }

    private static string Plots(string runDirectory)
    {
        var plots = Directory.EnumerateFiles(runDirectory, "*.*", SearchOption.AllDirectories)
            .Where(p => p.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || p.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
            .Select(p => Path.GetRelativePath(runDirectory, p)).Order(StringComparer.Ordinal).ToList();
        return plots.Count == 0 ? "none in the run directory" : string.Join(", ", plots);
    }

    /// <summary>runs/demo-SEED, or runs/demo-SEED-N for the first N ≥ 2 whose directory holds no search yet.</summary>
    private static string FreeRunDirectory(string runs, ulong seed)
    {
        string candidate = Path.Combine(runs, $"demo-{seed}");
        for (int n = 2; File.Exists(Path.Combine(candidate, "run.json")); n++) candidate = Path.Combine(runs, $"demo-{seed}-{n}");
        return candidate;
    }

    /// <summary>The default metrics URL when its port is free, otherwise one on a free port (so the URL printed is the one served).</summary>
    private static string MetricsUrl()
    {
        var preferred = new Uri(SearchHostOptions.DefaultMetricsUrl);
        var address = IPAddress.Parse(preferred.Host);
        foreach (int port in new[] { preferred.Port, 0 })
        {
            try
            {
                var listener = new TcpListener(address, port);
                listener.Start();
                int bound = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                return $"http://{address}:{bound}";
            }
            catch (SocketException)
            {
            }
        }
        throw new IOException("no free TCP port on 127.0.0.1 for the metrics endpoint");
    }
}
