using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Tensors;

namespace EvoMerge.Evaluation;

/// <summary>
/// <c>evomerge eval</c>'s work: a model directory scored on task files (on the device <see cref="ComputeDevice.Use"/> is given), then its metrics written
/// as JSON and its per-document samples as JSON Lines where asked. How progress is shown is the caller's.
/// </summary>
public sealed class ModelEvaluation
{
    private ModelEvaluation(EvalResult result, string modelPath)
    {
        Result = result;
        ModelPath = modelPath;
    }

    /// <summary>The metrics of every task.</summary>
    public EvalResult Result { get; }

    /// <summary>The model directory scored, as the results JSON names it.</summary>
    public string ModelPath { get; }

    /// <summary>
    /// Loads the tasks (at most <paramref name="limit"/> documents each) and the model, and scores it through
    /// <paramref name="run"/>, which calls the evaluation it is given with the progress to report to. The model may be
    /// a routed-experts model (docs/routed-merges.md). Bad options
    /// (a device this build cannot use, a limit below 1) are refused before anything loads.
    /// </summary>
    public static ModelEvaluation Run(string modelDirectory, IReadOnlyList<string> taskFiles, int? limit, string? deviceName,
        Func<Func<IProgress<EvalProgress>, EvalResult>, EvalResult> run)
    {
        ComputeDevice.Use(deviceName, "--device");
        if (limit is <= 0) throw new ArgumentException($"--limit must be positive (got {limit})");

        var tasks = taskFiles.Select(file => EvalTask.Load(file, limit)).ToList();
        using var model = ModelDirectory.OpenRoutedAware(modelDirectory);
        using var decoder = DecoderModel.Load(model);
        var tokenizer = TextTokenizer.Load(modelDirectory);
        var result = run(progress => new Evaluator(decoder, tokenizer, new EvaluatorOptions { Progress = progress }).Evaluate(tasks));
        return new ModelEvaluation(result, model.Path);
    }

    /// <summary>Writes the metrics JSON and then the samples, each when its path is given (atomically), telling <paramref name="wrote"/> each file once it is written.</summary>
    public void Write(string? metricsFile, string? samplesFile, Action<string> wrote)
    {
        if (metricsFile is not null)
        {
            AtomicFile.Write(metricsFile, stream => EvalResultJson.Write(Result, ModelPath, stream));
            wrote(metricsFile);
        }
        if (samplesFile is not null)
        {
            AtomicFile.Write(samplesFile, stream => EvalSampleLog.Write(Result, stream));
            wrote(samplesFile);
        }
    }
}
