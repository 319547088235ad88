using System.CommandLine;
using EvoMerge.Benchmarks;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge bench subspace [--params-m 100] [--models 3] [--prompts 8]</c>: seconds per merge of the subspace
/// methods (tsv, iso_c, iso_cts, esm) next to ties and task_arithmetic on the same synthetic fp32 models.
/// </summary>
public static class BenchSubspaceCommand
{
    public static Command Create()
    {
        var size = new Option<int>("--params-m") { Description = "Approximate parameters of each synthetic model, in millions.", DefaultValueFactory = _ => 100 };
        var models = new Option<int>("--models") { Description = "Number of fine-tunes merged onto the base.", DefaultValueFactory = _ => 3 };
        var prompts = new Option<int>("--prompts") { Description = "esm proxy prompts (64 random tokens each), 1 to 32.", DefaultValueFactory = _ => 8 };
        var work = new Option<DirectoryInfo>("--work-dir") { Description = "Where the temporary models are written (removed afterwards).", DefaultValueFactory = _ => new DirectoryInfo(Path.GetTempPath()) };
        var command = new Command("subspace", "Seconds per merge of tsv, iso_c, iso_cts and esm next to ties and task_arithmetic on the same models.") { size, models, prompts, work };
        command.SetAction(parse => new SubspaceBenchmark(Console.Out, Console.Error).Run(parse.GetValue(size), parse.GetValue(models), parse.GetValue(prompts), parse.GetValue(work)!.FullName));
        return command;
    }
}
