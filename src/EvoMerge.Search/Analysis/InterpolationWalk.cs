using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Search.Analysis;

/// <summary>
/// Scores points of linear paths between models in memory: one decoder (the base's, fp32) whose tensors are
/// overwritten with (1 − t)·θ_From + t·θ_To tensor by tensor (one tensor per endpoint read at a time), then every task
/// is scored with the evaluation code <c>evomerge eval</c> runs, with the base's tokenizer, and its loss
/// (<see cref="TaskLoss"/>) computed.
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

    /// <summary>
    /// The path from one model directory to another, one <see cref="InterpolationPath"/> per task: its
    /// <see cref="TaskLoss"/>, with the task's first metric as <see cref="InterpolationPath.Score"/> when that is not the loss.
    /// </summary>
    public IReadOnlyList<InterpolationPath> Walk(string fromName, string fromDirectory, string toName, string toDirectory, Action<string> log)
    {
        using var from = ModelDirectory.Open(fromDirectory);
        using var to = ModelDirectory.Open(toDirectory);
        var scored = new List<ScoredTask>[_tasks.Count];
        for (int k = 0; k < _tasks.Count; k++) scored[k] = [];
        foreach (double t in InterpolationPath.Points)
        {
            log($"path {fromName} → {toName}: t = {t:0.0}");
            Interpolate(from.Weights, to.Weights, t);
            for (int k = 0; k < _tasks.Count; k++) scored[k].Add(_evaluator.EvaluateWithLoss(_tasks[k]));
        }
        return [.. scored.Select((s, k) => PathOf(fromName, toName, _tasks[k].Name, s))];
    }

    private static InterpolationPath PathOf(string from, string to, string task, IReadOnlyList<ScoredTask> points)
    {
        var loss = points[0].Loss;
        var first = points[0].Result.Metrics[0];
        return new InterpolationPath(from, to, task, loss.Name, loss.HigherIsBetter, InterpolationPath.Points,
            [.. points.Select(p => p.Loss.Value)], [.. points.Select(p => p.Loss.StandardError)])
        {
            Score = first.Name == loss.Name ? null
                : new PathCurve(first.Name, first.HigherIsBetter, [.. points.Select(p => p.Result.Metrics[0].Value)], [.. points.Select(p => p.Result.Metrics[0].StandardError)]),
        };
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
