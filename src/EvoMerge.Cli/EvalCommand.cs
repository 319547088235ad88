using System.CommandLine;
using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Tensors;
using Spectre.Console;
using TorchSharp;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge eval MODEL_DIR --task TASK.yml [--task …] [--limit N] [--output results.json] [--log-samples samples.jsonl] [--device cpu]</c>:
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
        var device = new Option<string>("--device") { Description = "Where to compute: cpu (the only device of this build).", DefaultValueFactory = _ => "cpu" };
        var command = new Command("eval", "Score a model on eval tasks (multiple choice, generate, perplexity) with lm-evaluation-harness semantics.")
        {
            dir, tasks, limit, output, samples, device,
        };
        command.SetAction(parse =>
        {
            Run(parse.GetValue(dir)!, parse.GetValue(tasks)!, parse.GetValue(limit), parse.GetValue(output), parse.GetValue(samples), parse.GetValue(device));
            return 0;
        });
        return command;
    }

    private static void Run(DirectoryInfo modelDirectory, string[] taskFiles, int? limit, FileInfo? output, FileInfo? samples, string? deviceName)
    {
        if (ComputeDevice.Parse(deviceName).type != DeviceType.CPU)
            throw new ArgumentException($"--device '{deviceName}': the decoder runs on cpu only in this version");
        if (limit is <= 0) throw new ArgumentException($"--limit must be positive (got {limit})");

        var tasks = taskFiles.Select(file => EvalTask.Load(file, limit)).ToList();
        using var model = ModelDirectory.Open(modelDirectory.FullName);
        using var decoder = DecoderModel.Load(model);
        var tokenizer = TextTokenizer.Load(modelDirectory.FullName);
        EvalResult Evaluate(IProgress<EvalProgress> progress) => new Evaluator(decoder, tokenizer, new EvaluatorOptions { Progress = progress }).Evaluate(tasks);
        var result = TerminalProgress.OnTerminal ? OnTerminal(Evaluate) : Evaluate(new EvalProgressLog(Console.Error.WriteLine, TimeSpan.FromSeconds(10)));

        Console.Out.Write(EvalResultTable.Format(result));
        if (output is not null)
        {
            AtomicFile.Write(output.FullName, stream => EvalResultJson.Write(result, model.Path, stream));
            Console.Out.WriteLine($"wrote {output.FullName}");
        }
        if (samples is not null)
        {
            AtomicFile.Write(samples.FullName, stream => EvalSampleLog.Write(result, stream));
            Console.Out.WriteLine($"wrote {samples.FullName}");
        }
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
