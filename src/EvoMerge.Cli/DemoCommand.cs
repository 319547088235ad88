using System.CommandLine;
using System.Diagnostics;
using EvoMerge.Demo;
using EvoMerge.Demo.Tables;
using EvoMerge.Host;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge demo [--config FILE] [--seed N] [--run-dir DIR] [--budget N] [--minutes M] [--limit N] [--search-only] [host options]</c>:
/// runs the bundled demo search (a normal hosted <c>evomerge search</c> of <c>experiments/demo/search.yml</c>: live
/// progress, metrics endpoint, checkpoints) over the tiny specialists in <c>models/</c>, then scores the test-split table
/// of <see cref="DemoTableBuilder"/> as the host's post-search phase (endpoints and progress still up), writes and prints it.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config") { Description = $"Search config to run (default: the repository's {DemoSearchConfig.DefaultRelativePath})." };
        var seed = new Option<ulong?>("--seed") { Description = "Seed of the search (default: the config's)." };
        var runDir = new Option<DirectoryInfo?>("--run-dir") { Description = "Run directory (default: runs/demo-SEED in the repository, or the next free runs/demo-SEED-N)." };
        var budget = new Option<int?>("--budget") { Description = "Evaluation budget: candidates scored (default: the config's)." };
        var minutes = new Option<double?>("--minutes") { Description = "Wall-clock guard of the search in minutes (default: the config's); when it stops the search, the table says so." };
        var limit = new Option<int?>("--limit") { Description = "Score at most N documents per task in the final table (a quick check; default all)." };
        var datasets = new Option<DirectoryInfo?>("--datasets") { Description = "Skill datasets with their task YAMLs (default: datasets/ next to experiments/)." };
        var upperBound = new Option<DirectoryInfo?>("--upper-bound") { Description = "Multitask model shown as the upper bound (default: multitask next to the base model, when present)." };
        var searchOnly = new Option<bool>("--search-only") { Description = "Run the search and stop (no table), e.g. to compare optimizers on dev." };
        var tableOnly = new Option<bool>("--table-only") { Description = "Do not search: score the table of the finished search in --run-dir (e.g. one run with --search-only or evomerge search)." };
        var host = new SearchHostCommandOptions();
        var command = new Command("demo", "Run the bundled demo search over tiny specialist models and print a test-split table against sources, baselines and the multitask model.")
            { config, seed, runDir, budget, minutes, limit, datasets, upperBound, searchOnly, tableOnly };
        host.AddTo(command);
        command.SetAction(parse =>
        {
            var total = Stopwatch.StartNew();
            if (parse.GetValue(tableOnly))
            {
                string finishedRun = DemoOptionChecks.TableOnlyRun(parse.GetValue(searchOnly),
                    [.. new Option[] { config, seed, budget, minutes }.Where(o => parse.GetResult(o) is not null).Select(o => o.Name)], parse.GetValue(runDir)?.FullName);
                var state = RunStatusReader.Read(finishedRun);
                if (state.State != "finished")
                    throw new ArgumentException($"--run-dir {finishedRun}: the search {(state.Alive ? "is still running" : "stopped before its budget")} ({state.Generation} generations complete, {state.EvaluationsDone} evaluations); {(state.Alive ? "wait for it" : $"finish it with `evomerge resume {finishedRun}`")}, then score the table");
                var runSetup = SearchSetup.Open(finishedRun);
                string datasetsOfRun = parse.GetValue(datasets)?.FullName ?? DemoLocations.Datasets(DemoSearchConfig.Locate());
                return PrintTable(DemoTableWriter.Write(runSetup, datasetsOfRun, DemoLocations.UpperBound(parse.GetValue(upperBound)?.FullName, runSetup.Config.BaseModel),
                    parse.GetValue(limit), null, RunIdentity.ProgramVersion, total, Console.Error.WriteLine), finishedRun);
            }
            string configFile = parse.GetValue(config)?.FullName ?? DemoSearchConfig.Locate();
            DemoOptionChecks.Ranges(parse.GetValue(budget), parse.GetValue(minutes), parse.GetValue(limit));
            var probe = DemoSearchConfig.Read(configFile, parse.GetValue(seed), null, null, null);
            string run = parse.GetValue(runDir)?.FullName ?? DemoLocations.FreeRunDirectory(DemoLocations.Runs(configFile), probe.Seed);
            var settings = DemoSearchConfig.Read(configFile, parse.GetValue(seed), parse.GetValue(budget), parse.GetValue(minutes), run);
            string datasetsDirectory = parse.GetValue(datasets)?.FullName ?? DemoLocations.Datasets(configFile);
            if (!Directory.Exists(datasetsDirectory)) throw new DirectoryNotFoundException($"{datasetsDirectory}: the skill datasets are not there; pass --datasets");
            string? upper = DemoLocations.UpperBound(parse.GetValue(upperBound)?.FullName, settings.BaseModel);

            var overrides = new Dictionary<string, string?>(host.Overrides(parse), StringComparer.OrdinalIgnoreCase);
            string metrics = DemoOptionChecks.MetricsUrl(overrides, Environment.GetEnvironmentVariable("EVOMERGE_METRICS_URL"), SearchHostOptions.DefaultMetricsUrl);
            foreach (string line in DemoOptionChecks.Banner(settings, metrics)) Console.WriteLine(line);

            bool finished = false;
            WrittenDemoTable? written = null;
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
                new TerminalProgress(), parse.GetValue(searchOnly) ? null : new PostSearchPhase("scoring the demo table", (run, steps, log, stop) => written = DemoTableWriter.Write(
                    run.Setup, datasetsDirectory, upper, parse.GetValue(limit), searchClock.Elapsed.TotalSeconds, RunIdentity.ProgramVersion, total, log, steps, stop)));
            if (code != 0 || !finished)
            {
                if (code == 0) Console.WriteLine($"stopped before the budget; continue with: evomerge resume {settings.RunDirectory} (the table is not written)");
                return code;
            }
            if (parse.GetValue(searchOnly)) return 0;
            if (written is null) Console.WriteLine($"stopped before the table was written; score it with: evomerge demo --table-only --run-dir {settings.RunDirectory}");
            return written is null ? 0 : PrintTable(written, settings.RunDirectory);
        });
        return command;
    }

    /// <summary>Prints the table <paramref name="written"/> into <paramref name="runDirectory"/>.</summary>
    private static int PrintTable(WrittenDemoTable written, string runDirectory)
    {
        Console.Write(written.Report(runDirectory));
        return 0;
    }
}
