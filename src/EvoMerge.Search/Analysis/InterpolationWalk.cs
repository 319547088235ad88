using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Search.Analysis;

/// <summary>
/// Scores points of linear paths between models in memory: one decoder (the base's, fp32) whose tensors are
/// overwritten with (1 − t)·θ_From + t·θ_To tensor by tensor (one tensor per endpoint read at a time), then every task
/// is scored with the evaluation code <c>evomerge eval</c> runs, with the base's tokenizer.
/// </summary>
public sealed class InterpolationWalk : IDisposable
{
    private readonly ModelDirectory _base;
    private readonly DecoderModel _decoder;
    private readonly Evaluator _evaluator;
    private readonly IReadOnlyList<EvalTask> _tasks;

    /// <summary>Loads the base's decoder and tokenizer and the tasks.</summary>
    public InterpolationWalk(string baseDirectory, IReadOnlyList<string> taskFiles)
    {
        _tasks = [.. taskFiles.Select(f => EvalTask.Load(f))];
        _base = ModelDirectory.Open(baseDirectory);
        _decoder = DecoderModel.Load(_base);
        _evaluator = new Evaluator(_decoder, TextTokenizer.Load(baseDirectory));
    }

    /// <summary>The path from one model directory to another, one <see cref="InterpolationPath"/> per task (its first metric).</summary>
    public IReadOnlyList<InterpolationPath> Walk(string fromName, string fromDirectory, string toName, string toDirectory, Action<string> log)
    {
        using var from = ModelDirectory.Open(fromDirectory);
        using var to = ModelDirectory.Open(toDirectory);
        var results = new List<TaskResult>[_tasks.Count];
        for (int k = 0; k < _tasks.Count; k++) results[k] = [];
        foreach (double t in InterpolationPath.Points)
        {
            log($"path {fromName} → {toName}: t = {t:0.0}");
            Interpolate(from.Weights, to.Weights, t);
            for (int k = 0; k < _tasks.Count; k++) results[k].Add(_evaluator.Evaluate(_tasks[k]));
        }
        return [.. results.Select((r, k) => new InterpolationPath(fromName, toName, _tasks[k].Name, r[0].Metrics[0].Name, r[0].Metrics[0].HigherIsBetter,
            InterpolationPath.Points, [.. r.Select(x => x.Metrics[0].Value)], [.. r.Select(x => x.Metrics[0].StandardError)]))];
    }

    private void Interpolate(ModelWeights from, ModelWeights to, double t)
    {
        using var fromWeight = (1 - t).ToScalar();
        using var toWeight = t.ToScalar();
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in _decoder.Parameters)
        {
            using var scope = torch.NewDisposeScope();
            var a = from.Load(name, torch.ScalarType.Float32);
            var b = to.Load(name, torch.ScalarType.Float32);
            parameter.copy_(a.mul(fromWeight).add(b, toWeight));
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _decoder.Dispose();
        _base.Dispose();
    }
}
