using System.CommandLine;
using EvoMerge.Host;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;

namespace EvoMerge.Cli;

/// <summary><c>evomerge search CONFIG [--dry-run] [--run-dir DIR] [--metrics-url URL] [--log-format text|json] [--grace-period S] [--progress MODE] [--cluster SPEC] [--task-map …] [--device cpu|cuda[:N]]</c>:
/// runs an evolutionary merge search (CONFIG may be a mergekit-evolve config) in the hosted orchestrator (see <see cref="SearchHost"/>), or checks its config and estimates its cost.</summary>
public static class SearchCommand
{
    public static Command Create()
    {
        var config = new Argument<FileInfo>("CONFIG") { Description = "Search config (YAML or JSON, see search-space.schema.json), or a mergekit-evolve config." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate the config, print the genome size, a random genome's recipe and the memory/time per evaluation; write nothing." };
        var runDir = new Option<DirectoryInfo?>("--run-dir") { Description = "Run directory (overrides the config's run_dir and EVOMERGE_RUN_DIR)." };
        var host = new SearchHostCommandOptions();
        var cluster = new ClusterCommandOption();
        var evolve = new EvolveCommandOptions();
        var device = new DeviceCommandOption();
        var command = new Command("search", "Run an evolutionary merge search: evomerge search CONFIG.") { config, dryRun, runDir, evolve.TaskMap, evolve.TasksDir, evolve.MaxFevals, device.Option };
        host.AddTo(command);
        cluster.AddTo(command);
        command.SetAction(parse =>
        {
            device.Use(parse);
            var settings = MergekitEvolveImport.ReadSearchConfig(parse.GetValue(config)!.FullName, evolve.Values(parse), parse.GetValue(runDir)?.FullName, Console.Error);
            if (parse.GetValue(dryRun))
            {
                Console.Out.Write(SearchDryRun.Run(settings, !parse.GetValue(host.NoScoreCache)).ToText(settings.Seed));
                return 0;
            }
            return cluster.RunHosted(parse,
                (observer, backend) => SearchRun.Start(settings, observer, backend: backend),
                run => $"search in {settings.RunDirectory}: {run.Setup.Layout.Space.RealCount} real and {run.Setup.Layout.Space.CategoryGeneCount} categorical genes, optimizer {settings.Optimizer.OptimizerName}, seed {settings.Seed}",
                host.Overrides(parse),
                run => PrintSummary(run));
        });
        return command;
    }

    /// <summary>Prints the archive after a run (stdout).</summary>
    public static void PrintSummary(SearchRun run) => Console.Out.Write(RunSummary.Text(run));
}
