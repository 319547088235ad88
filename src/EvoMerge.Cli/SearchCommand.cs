using System.CommandLine;
using System.Globalization;
using EvoMerge.Host;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge search CONFIG [--dry-run] [--run-dir DIR] [--metrics-url URL] [--log-format text|json] [--grace-period S] [--progress MODE] [--cluster SPEC]</c>:
/// runs an evolutionary merge search in the hosted orchestrator (see <see cref="SearchHost"/>), or checks its config and estimates its cost.
/// </summary>
public static class SearchCommand
{
    public static Command Create()
    {
        var config = new Argument<FileInfo>("CONFIG") { Description = "Search config (YAML or JSON, see search-space.schema.json)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate the config, print the genome size, a random genome's recipe and the memory/time per evaluation; write nothing." };
        var runDir = new Option<DirectoryInfo?>("--run-dir") { Description = "Run directory (overrides the config's run_dir and EVOMERGE_RUN_DIR)." };
        var host = new SearchHostCommandOptions();
        var cluster = new ClusterCommandOption();
        var command = new Command("search", "Run an evolutionary merge search: evomerge search CONFIG.") { config, dryRun, runDir };
        host.AddTo(command);
        cluster.AddTo(command);
        command.SetAction(parse =>
        {
            var settings = SearchConfigReader.ReadFile(parse.GetValue(config)!.FullName);
            if (Environment.GetEnvironmentVariable("EVOMERGE_RUN_DIR") is { Length: > 0 } envDir) settings = settings with { RunDirectory = Path.GetFullPath(envDir) };
            if (parse.GetValue(runDir) is { } dir) settings = settings with { RunDirectory = dir.FullName };
            if (parse.GetValue(dryRun)) return PrintDryRun(settings);
            return cluster.RunHosted(parse,
                (observer, backend) => SearchRun.Start(settings, observer, backend: backend),
                run => $"search in {settings.RunDirectory}: {run.Setup.Layout.Space.RealCount} real and {run.Setup.Layout.Space.CategoryGeneCount} categorical genes, optimizer {settings.Optimizer.OptimizerName}, seed {settings.Seed}",
                host.Overrides(parse),
                run => PrintSummary(run));
        });
        return command;
    }

    /// <summary>Prints the archive after a run (stdout).</summary>
    public static void PrintSummary(SearchRun run)
    {
        var inv = CultureInfo.InvariantCulture;
        var objectives = run.Setup.Config.Objectives;
        var last = run.Statistics.Count > 0 ? run.Statistics[^1] : null;
        Console.WriteLine(string.Create(inv, $"run {run.Setup.Config.RunDirectory}: {run.Generation} generations, {run.EvaluationsScored} candidates scored, {run.CacheSize} distinct recipes, item evaluations saved {run.Statistics.Sum(s => s.ItemEvaluationsSaved)}, hypervolume {last?.Hypervolume ?? 0:G6}"));
        Console.WriteLine($"{"member",6}  {"hash",-12}  {string.Join("  ", objectives.Select(o => $"{o.Name,14}"))}  generation");
        for (int k = 0; k < run.Archive.Count; k++)
        {
            var member = run.Archive[k].Payload;
            Console.WriteLine(string.Create(inv, $"{k,6}  {member.Hash[..12],-12}  {string.Join("  ", member.Objectives.Select(v => $"{v,14:G6}"))}  {member.Generation,10}"));
        }
    }

    private static int PrintDryRun(SearchConfig settings)
    {
        var inv = CultureInfo.InvariantCulture;
        var report = SearchDryRun.Run(settings);
        Console.WriteLine(string.Create(inv, $"genome: {report.RealGenes + report.CategoricalGenes} genes ({report.RealGenes} real in [0, 1], {report.CategoricalGenes} categorical)"));
        foreach (string name in report.GeneNames.Take(12)) Console.WriteLine($"  {name}");
        if (report.GeneNames.Count > 12) Console.WriteLine(string.Create(inv, $"  … {report.GeneNames.Count - 12} more"));
        Console.WriteLine($"random genome (seed {settings.Seed}): {report.GenomeKey}");
        Console.WriteLine($"recipe {report.Recipe.Hash[..12]} ({report.Recipe.OutputLayers} layers):");
        Console.Write(report.Recipe.ParameterSpace);
        if (report.Recipe.DataFlow is { } layers) Console.Write(layers);
        Console.WriteLine(string.Create(inv, $"memory: {report.ResidentBytes / 1048576.0:F1} MiB of tensors held ({report.InputBytes / 1048576.0:F1} MiB base and source weights, the rest the candidate model and buffers)"));
        Console.WriteLine(string.Create(inv, $"time per evaluation: {report.MaterializeSeconds:F3} s to materialise + ~{report.ScoreSecondsEstimate:F2} s to score {report.ItemsPerEvaluation} items (measured on {report.SampledItems}); cheap-first scoring and cache hits cost less"));
        return 0;
    }
}
