using System.CommandLine;
using EvoMerge.Evaluation;
using Spectre.Console;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge eval MODEL_DIR --task TASK.yml [--task …] [--limit N] [--output results.json] [--log-samples samples.jsonl] [--device cpu|cuda[:N]]</c>:
/// scores a model on eval tasks, prints a table of metrics, and writes the results (and per-document samples) as JSON.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("MODEL_DIR") { Description = "A model directory in HuggingFace layout with its tokenizer files." };
        var tasks = new Option<string[]>("--task")
        {
            Description = "A task YAML file (repeatable): name, kind, data, prompt, … (see datasets/examples).",
            Required = true,
        };
        var limit = new Option<int?>("--limit") { Description = "Score only the first N documents of each task (overrides the task's limit)." };
        var output = new Option<FileInfo?>("--output") { Description = "Write the metrics as JSON to this file." };
        var samples = new Option<FileInfo?>("--log-samples") { Description = "Write one JSON object per scored document (JSON Lines) to this file." };
        var device = new DeviceCommandOption();
        var command = new Command("eval", "Score a model on eval tasks (multiple choice, generate, perplexity) with lm-evaluation-harness semantics.")
        {
            dir, tasks, limit, output, samples, device.Option,
        };
        command.SetAction(parse =>
        {
            var evaluation = ModelEvaluation.Run(parse.GetValue(dir)!.FullName, parse.GetValue(tasks)!, parse.GetValue(limit), parse.GetValue(device.Option),
                evaluate => TerminalProgress.OnTerminal ? OnTerminal(evaluate) : evaluate(new EvalProgressLog(Console.Error.WriteLine, TimeSpan.FromSeconds(10))));
            Console.Out.Write(EvalResultTable.Format(evaluation.Result));
            evaluation.Write(parse.GetValue(output)?.FullName, parse.GetValue(samples)?.FullName, file => Console.Out.WriteLine($"wrote {file}"));
            return 0;
        });
        return command;
    }

    /// <summary>Runs <paramref name="evaluate"/> while a progress bar on the terminal shows its documents done.</summary>
    private static EvalResult OnTerminal(Func<IProgress<EvalProgress>, EvalResult> evaluate)
    {
        var latest = new LatestEvalProgress();
        using var done = new CancellationTokenSource();
        var work = Task.Run(() => evaluate(latest));
        work.ContinueWith(_ => done.Cancel(), TaskScheduler.Default);
        TerminalRows.ShowAsync(AnsiConsole.Console, 1, width => latest.Latest is { } p ? ([(p.Description(width), p.Done, p.Total)], "") : ([], ""), done.Token).GetAwaiter().GetResult();
        return work.GetAwaiter().GetResult();
    }
}
