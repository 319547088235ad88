using TorchSharp;

namespace EvoMerge.Search.Analysis;

/// <summary>
/// Running sums of one group's task-vector measures, fed one tensor at a time (so only one tensor per model is in
/// memory) and added together into layer and model totals.
/// </summary>
internal sealed class GroupAccumulator(int models)
{
    private readonly double[] _squares = new double[models];
    private readonly double[,] _dots = new double[models, models];
    private readonly long[,] _conflicts = new long[models, models];
    private readonly long[,] _bothNonzero = new long[models, models];
    private readonly double[,] _kept = new double[models, TaskVectorMeasures.Densities.Count];
    private readonly double[,] _overlapSums = new double[models, models];
    private readonly int[,] _overlapCounts = new int[models, models];
    private long _elements;
    private double _baseSquares;

    /// <summary>How many singular value decompositions <see cref="Add(torch.Tensor, IReadOnlyList{torch.Tensor})"/> ran: one per model and matrix (none for one model).</summary>
    internal int Decompositions { get; private set; }

    /// <summary>
    /// Adds one tensor: the base's values and each model's task vector (float64). Each model's top singular directions
    /// are computed once (with two or more models) and compared pairwise; they are the caller's dispose scope's.
    /// </summary>
    public void Add(torch.Tensor baseTensor, IReadOnlyList<torch.Tensor> deltas)
    {
        var directions = new torch.Tensor?[models];
        if (models > 1 && baseTensor.dim() == 2)
        {
            for (int i = 0; i < models; i++) directions[i] = TaskVectorMeasures.TopLeftSingularVectors(deltas[i]);
            Decompositions += models;
        }
        _elements += baseTensor.numel();
        _baseSquares += TaskVectorMeasures.Dot(baseTensor, baseTensor);
        for (int i = 0; i < models; i++)
        {
            _squares[i] += TaskVectorMeasures.Dot(deltas[i], deltas[i]);
            for (int d = 0; d < TaskVectorMeasures.Densities.Count; d++)
                _kept[i, d] += TaskVectorMeasures.TrimmedEnergy(deltas[i], TaskVectorMeasures.Densities[d]);
            for (int j = i + 1; j < models; j++)
            {
                _dots[i, j] += TaskVectorMeasures.Dot(deltas[i], deltas[j]);
                var (conflicts, both) = TaskVectorMeasures.SignConflicts(deltas[i], deltas[j]);
                _conflicts[i, j] += conflicts;
                _bothNonzero[i, j] += both;
                if (directions[i] is { } ui && directions[j] is { } uj)
                {
                    _overlapSums[i, j] += TaskVectorMeasures.SubspaceOverlap(ui, uj);
                    _overlapCounts[i, j]++;
                }
            }
        }
    }

    /// <summary>Adds another group's sums (same models) into this one.</summary>
    public void Add(GroupAccumulator other)
    {
        _elements += other._elements;
        _baseSquares += other._baseSquares;
        for (int i = 0; i < models; i++)
        {
            _squares[i] += other._squares[i];
            for (int d = 0; d < TaskVectorMeasures.Densities.Count; d++) _kept[i, d] += other._kept[i, d];
            for (int j = i + 1; j < models; j++)
            {
                _dots[i, j] += other._dots[i, j];
                _conflicts[i, j] += other._conflicts[i, j];
                _bothNonzero[i, j] += other._bothNonzero[i, j];
                _overlapSums[i, j] += other._overlapSums[i, j];
                _overlapCounts[i, j] += other._overlapCounts[i, j];
            }
        }
    }

    /// <summary>The group's statistics; a zero task vector keeps all of its (zero) energy.</summary>
    public GroupStatistics Result(TensorKindGroup group, IReadOnlyList<string> names)
    {
        double baseNorm = Math.Sqrt(_baseSquares);
        var norms = _squares.Select(Math.Sqrt).ToList();
        var pairs = new List<PairStatistics>();
        for (int i = 0; i < models; i++)
        {
            for (int j = i + 1; j < models; j++)
            {
                double? cosine = norms[i] > 0 && norms[j] > 0 ? _dots[i, j] / (norms[i] * norms[j]) : null;
                double? conflict = _bothNonzero[i, j] > 0 ? (double)_conflicts[i, j] / _bothNonzero[i, j] : null;
                double? overlap = _overlapCounts[i, j] > 0 ? _overlapSums[i, j] / _overlapCounts[i, j] : null;
                pairs.Add(new PairStatistics(names[i], names[j], cosine, conflict, overlap));
            }
        }
        var kept = Enumerable.Range(0, models)
            .Select(i => (IReadOnlyList<double>)[.. Enumerable.Range(0, TaskVectorMeasures.Densities.Count).Select(d => _squares[i] > 0 ? _kept[i, d] / _squares[i] : 1.0)])
            .ToList();
        return new GroupStatistics(group.Label, group.Layer, group.Kind, _elements, baseNorm, norms,
            [.. norms.Select(n => baseNorm > 0 ? n / baseNorm : 0.0)], pairs, kept);
    }
}
