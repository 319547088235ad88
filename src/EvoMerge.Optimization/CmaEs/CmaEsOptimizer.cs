namespace EvoMerge.Optimization.CmaEs;

/// <summary>
/// (μ/μ_w, λ)-CMA-ES after Hansen's tutorial (2016) with IPOP restarts (Auger and Hansen 2005), single-objective:
/// objectives are scalarised by <see cref="CmaEsSettings.ObjectiveWeights"/> and infeasible candidates rank after all
/// feasible ones, by violation. Uses positive recombination weights, cumulative step-size adaptation, rank-one and
/// rank-μ covariance updates and a lazily refreshed Jacobi eigendecomposition of C.
/// <para>
/// Bounds (<see cref="CmaEsSettings.Bounded"/>): a sample x is clipped into [0, 1]ⁿ for evaluation, and the value
/// ranked is f(clip(x)) + <see cref="CmaEsSettings.BoundaryPenalty"/> · ‖x − clip(x)‖²; the distribution update uses
/// the unclipped x. Unbounded mode hands out x itself.
/// </para>
/// <para>
/// Categorical genes are sampled from independent categorical distributions that follow the weighted choice
/// frequencies of the best μ each generation (see <see cref="CategoryDistribution"/>); they do not enter C.
/// </para>
/// <para>
/// Restarts, when enabled, happen on TolFun, TolX, NoEffectAxis, NoEffectCoord, ConditionCov and Stagnation (as
/// described by Hansen); each multiplies λ by <see cref="CmaEsSettings.PopulationIncrease"/> and resets the
/// distribution: the mean to a uniform random point of the box in bounded mode, to the start point in unbounded mode.
/// A numerical breakdown (non-finite values, or C no longer positive definite) restarts even when restarts are off.
/// </para>
/// </summary>
public sealed class CmaEsOptimizer : IOptimizer
{
    /// <summary>Registry name.</summary>
    public const string OptimizerName = "cmaes";

    private const int MaxHistory = 20_000;

    private readonly CmaEsSettings _settings;
    private readonly SearchRandom _random;
    private readonly int _n;
    private readonly int _initialLambda;
    private CmaEsParameters _parameters;
    private double[] _mean;
    private double _sigma;
    private double[] _sigmaPath;
    private double[] _covariancePath;
    private double[][] _covariance;
    private double[][] _eigenVectors;
    private double[] _axisLengths;
    private long _eigenEvaluations;
    private readonly List<double> _bestHistory;
    private readonly List<double> _medianHistory;
    private double[][] _categoryProbabilities;
    private double[][]? _pendingSteps;
    private Genome[]? _pending;

    /// <summary>A fresh optimizer; all random choices derive from <paramref name="seed"/>.</summary>
    public CmaEsOptimizer(GeneSpace space, CmaEsSettings settings, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate(space);
        Space = space;
        _settings = settings;
        _random = new SearchRandom(seed);
        _n = space.RealCount;
        _initialLambda = settings.PopulationSize ?? CmaEsParameters.DefaultLambda(_n);
        _parameters = new CmaEsParameters(_n, _initialLambda);
        _mean = settings.Start is { } start ? [.. start.Reals] : Enumerable.Repeat(0.5, _n).ToArray();
        _sigma = settings.InitialSigma;
        _sigmaPath = new double[_n];
        _covariancePath = new double[_n];
        _covariance = Identity(_n);
        _eigenVectors = Identity(_n);
        _axisLengths = Enumerable.Repeat(1.0, _n).ToArray();
        _bestHistory = [];
        _medianHistory = [];
        _categoryProbabilities = CategoryDistribution.Initial(space, settings.Start);
    }

    /// <summary>An optimizer continuing from <paramref name="state"/>.</summary>
    public CmaEsOptimizer(CmaEsState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Settings.Validate(state.Space);
        Space = state.Space;
        _settings = state.Settings;
        _random = SearchRandom.FromState(state.Random);
        _n = Space.RealCount;
        _initialLambda = _settings.PopulationSize ?? CmaEsParameters.DefaultLambda(_n);
        _parameters = new CmaEsParameters(_n, state.PopulationSize);
        Generation = state.Generation;
        RunGeneration = state.RunGeneration;
        Evaluations = state.Evaluations;
        Restarts = state.Restarts;
        LastRestartReason = state.LastRestartReason;
        _sigma = state.Sigma;
        _mean = Vector(state.Mean, nameof(state.Mean));
        _sigmaPath = Vector(state.SigmaPath, nameof(state.SigmaPath));
        _covariancePath = Vector(state.CovariancePath, nameof(state.CovariancePath));
        _covariance = Matrix(state.Covariance, nameof(state.Covariance));
        _eigenVectors = Matrix(state.EigenVectors, nameof(state.EigenVectors));
        _axisLengths = Vector(state.AxisLengths, nameof(state.AxisLengths));
        _eigenEvaluations = state.EigenEvaluations;
        _bestHistory = [.. state.BestHistory];
        _medianHistory = [.. state.MedianHistory];
        _categoryProbabilities = state.CategoryProbabilities.Select(p => p.ToArray()).ToArray();
        if (_categoryProbabilities.Length != Space.CategoryGeneCount
            || _categoryProbabilities.Where((p, j) => p.Length != Space.CategoryCounts[j]).Any())
        {
            throw new ArgumentException("cmaes state: category probabilities do not match the gene space");
        }
        if ((state.Pending is null) != (state.PendingSteps is null)
            || (state.Pending is not null && state.Pending.Count != state.PendingSteps!.Length))
        {
            throw new ArgumentException("cmaes state: pending genomes and steps do not match");
        }
        _pending = state.Pending?.Select(g => g.Copy()).ToArray();
        _pendingSteps = state.PendingSteps?.Select(y => Vector(y, nameof(state.PendingSteps))).ToArray();
    }

    public string Name => OptimizerName;

    public GeneSpace Space { get; }

    public int Generation { get; private set; }

    /// <summary>Batches told since the last restart.</summary>
    public int RunGeneration { get; private set; }

    /// <summary>Candidates told since the start.</summary>
    public long Evaluations { get; private set; }

    /// <summary>Restarts made so far.</summary>
    public int Restarts { get; private set; }

    /// <summary>Which criterion caused the last restart, or null.</summary>
    public string? LastRestartReason { get; private set; }

    /// <summary>Current offspring count λ.</summary>
    public int PopulationSize => _parameters.Lambda;

    /// <summary>Current step size σ.</summary>
    public double Sigma => _sigma;

    /// <summary>Current mean of the real genes (unclipped).</summary>
    public IReadOnlyList<double> Mean => _mean;

    public IReadOnlyList<Genome> Ask()
    {
        if (_pending is null)
        {
            int lambda = _parameters.Lambda;
            _pending = new Genome[lambda];
            _pendingSteps = new double[lambda][];
            for (int k = 0; k < lambda; k++)
            {
                var z = new double[_n];
                for (int i = 0; i < _n; i++)
                {
                    z[i] = _random.NextGaussian() * _axisLengths[i];
                }
                var y = EigenvectorsTimes(z);
                double[] x = SamplePoint(y);
                if (_settings.Bounded)
                {
                    for (int i = 0; i < _n; i++)
                    {
                        x[i] = Math.Clamp(x[i], 0.0, 1.0);
                    }
                }
                var categories = new int[Space.CategoryGeneCount];
                for (int j = 0; j < categories.Length; j++)
                {
                    categories[j] = CategoryDistribution.Sample(_categoryProbabilities[j], _random);
                }
                _pendingSteps[k] = y;
                _pending[k] = new Genome(x, categories);
            }
        }
        return _pending.Select(g => g.Copy()).ToArray();
    }

    public void Tell(IReadOnlyList<EvaluatedGenome> results)
    {
        var told = AskedBatch.Align(_pending, results);
        double[][] steps = _pendingSteps!;
        int lambda = told.Length;
        var infeasible = new bool[lambda];
        var values = new double[lambda];
        for (int k = 0; k < lambda; k++)
        {
            infeasible[k] = told[k].ConstraintViolation > 0.0;
            values[k] = infeasible[k] ? told[k].ConstraintViolation : Fitness(told[k], steps[k]);
        }
        int[] order = Enumerable.Range(0, lambda)
            .OrderBy(k => infeasible[k])
            .ThenBy(k => values[k])
            .ThenBy(k => k)
            .ToArray();
        double[] generationValues = order.Select(k => infeasible[k] ? double.PositiveInfinity : values[k]).ToArray();

        UpdateDistribution(order, steps);
        CategoryDistribution.Update(_categoryProbabilities,
            order.Take(_parameters.Mu).Select(k => told[k].Genome.Categories).ToArray(),
            _parameters.Weights, _settings.CategoryLearningRate, _settings.CategoryFloor);

        _pending = null;
        _pendingSteps = null;
        Generation++;
        RunGeneration++;
        Evaluations += lambda;
        Remember(_bestHistory, generationValues[0]);
        Remember(_medianHistory, generationValues[lambda / 2]);

        string? breakdown = NumericalBreakdown();
        if (breakdown is null && Evaluations - _eigenEvaluations > _parameters.EigenInterval)
        {
            breakdown = UpdateEigenDecomposition();
        }
        string? reason = breakdown ?? (_settings.Restarts ? StopCriterion(generationValues) : null);
        if (reason is not null)
        {
            Restart(reason);
        }
    }

    public OptimizerState SaveState() => new CmaEsState
    {
        Space = Space,
        Settings = _settings,
        Random = _random.ExportState(),
        Generation = Generation,
        RunGeneration = RunGeneration,
        Evaluations = Evaluations,
        Restarts = Restarts,
        LastRestartReason = LastRestartReason,
        PopulationSize = _parameters.Lambda,
        Sigma = _sigma,
        Mean = [.. _mean],
        SigmaPath = [.. _sigmaPath],
        CovariancePath = [.. _covariancePath],
        Covariance = _covariance.Select(r => r.ToArray()).ToArray(),
        EigenVectors = _eigenVectors.Select(r => r.ToArray()).ToArray(),
        AxisLengths = [.. _axisLengths],
        EigenEvaluations = _eigenEvaluations,
        BestHistory = [.. _bestHistory],
        MedianHistory = [.. _medianHistory],
        CategoryProbabilities = _categoryProbabilities.Select(p => p.ToArray()).ToArray(),
        PendingSteps = _pendingSteps?.Select(y => y.ToArray()).ToArray(),
        Pending = _pending?.Select(g => g.Copy()).ToArray(),
    };

    /// <summary>x = m + σ y.</summary>
    private double[] SamplePoint(double[] y)
    {
        var x = new double[_n];
        for (int i = 0; i < _n; i++)
        {
            x[i] = _mean[i] + _sigma * y[i];
        }
        return x;
    }

    /// <summary>Scalarised objectives plus, in bounded mode, the penalty for the distance clipped away.</summary>
    private double Fitness(EvaluatedGenome evaluated, double[] step)
    {
        double[] objectives = evaluated.Objectives;
        IReadOnlyList<double>? weights = _settings.ObjectiveWeights;
        if (weights is not null && weights.Count != objectives.Length)
        {
            throw new ArgumentException($"cmaes has {weights.Count} objective weights but an evaluation has {objectives.Length} objectives");
        }
        double value = 0.0;
        for (int i = 0; i < objectives.Length; i++)
        {
            double weight = weights?[i] ?? 1.0;
            if (weight != 0.0)
            {
                value += weight * objectives[i];
            }
        }
        if (_settings.Bounded && _settings.BoundaryPenalty > 0.0)
        {
            double[] x = SamplePoint(step);
            double distance = 0.0;
            for (int i = 0; i < _n; i++)
            {
                double d = x[i] - Math.Clamp(x[i], 0.0, 1.0);
                distance += d * d;
            }
            value += _settings.BoundaryPenalty * distance;
        }
        return double.IsNaN(value) ? double.PositiveInfinity : value;
    }

    /// <summary>Mean, evolution paths, covariance matrix and step size from the ranked steps.</summary>
    private void UpdateDistribution(int[] order, double[][] steps)
    {
        var p = _parameters;
        var weightedStep = new double[_n];
        for (int r = 0; r < p.Mu; r++)
        {
            double[] y = steps[order[r]];
            for (int i = 0; i < _n; i++)
            {
                weightedStep[i] += p.Weights[r] * y[i];
            }
        }
        for (int i = 0; i < _n; i++)
        {
            _mean[i] += _sigma * weightedStep[i];
        }

        double[] whitened = InverseSquareRootTimes(weightedStep);
        double sigmaPathFactor = Math.Sqrt(p.CSigma * (2.0 - p.CSigma) * p.MuEff);
        double sigmaPathNorm = 0.0;
        for (int i = 0; i < _n; i++)
        {
            _sigmaPath[i] = (1.0 - p.CSigma) * _sigmaPath[i] + sigmaPathFactor * whitened[i];
            sigmaPathNorm += _sigmaPath[i] * _sigmaPath[i];
        }
        sigmaPathNorm = Math.Sqrt(sigmaPathNorm);

        double correction = Math.Sqrt(1.0 - Math.Pow(1.0 - p.CSigma, 2.0 * (RunGeneration + 1)));
        bool stalled = sigmaPathNorm / correction >= (1.4 + 2.0 / (_n + 1.0)) * p.ExpectedNormLength;
        double covariancePathFactor = stalled ? 0.0 : Math.Sqrt(p.Cc * (2.0 - p.Cc) * p.MuEff);
        for (int i = 0; i < _n; i++)
        {
            _covariancePath[i] = (1.0 - p.Cc) * _covariancePath[i] + covariancePathFactor * weightedStep[i];
        }

        double stallCompensation = stalled ? p.C1 * p.Cc * (2.0 - p.Cc) : 0.0;
        double decay = 1.0 - p.C1 - p.CMu + stallCompensation;
        for (int i = 0; i < _n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double rankMu = 0.0;
                for (int r = 0; r < p.Mu; r++)
                {
                    double[] y = steps[order[r]];
                    rankMu += p.Weights[r] * y[i] * y[j];
                }
                double value = decay * _covariance[i][j] + p.C1 * _covariancePath[i] * _covariancePath[j] + p.CMu * rankMu;
                _covariance[i][j] = value;
                _covariance[j][i] = value;
            }
        }

        _sigma *= Math.Exp(p.CSigma / p.DSigma * (sigmaPathNorm / p.ExpectedNormLength - 1.0));
    }

    /// <summary>C^(−1/2) v = B D⁻¹ Bᵀ v.</summary>
    private double[] InverseSquareRootTimes(double[] v)
    {
        var projected = new double[_n];
        for (int k = 0; k < _n; k++)
        {
            double sum = 0.0;
            for (int i = 0; i < _n; i++)
            {
                sum += _eigenVectors[i][k] * v[i];
            }
            projected[k] = sum / _axisLengths[k];
        }
        return EigenvectorsTimes(projected);
    }

    /// <summary>B v: <paramref name="v"/> in eigenvector coordinates back in gene coordinates.</summary>
    private double[] EigenvectorsTimes(double[] v)
    {
        var result = new double[_n];
        for (int i = 0; i < _n; i++)
        {
            double sum = 0.0;
            for (int k = 0; k < _n; k++)
            {
                sum += _eigenVectors[i][k] * v[k];
            }
            result[i] = sum;
        }
        return result;
    }

    /// <summary>Refreshes B and D from C; a reason to restart when C is no longer positive definite.</summary>
    private string? UpdateEigenDecomposition()
    {
        _eigenEvaluations = Evaluations;
        var (values, vectors) = JacobiEigenSolver.Decompose(_covariance);
        if (!(values[0] > 0.0) || values.Any(v => !double.IsFinite(v)))
        {
            return "covariance matrix not positive definite";
        }
        _eigenVectors = vectors;
        _axisLengths = values.Select(Math.Sqrt).ToArray();
        return null;
    }

    private string? NumericalBreakdown()
    {
        bool finite = double.IsFinite(_sigma) && _sigma > 0.0
            && _mean.All(double.IsFinite) && _sigmaPath.All(double.IsFinite) && _covariancePath.All(double.IsFinite)
            && _covariance.All(row => row.All(double.IsFinite));
        return finite ? null : "numerical breakdown";
    }

    /// <summary>The first of Hansen's termination criteria that holds, or null.</summary>
    private string? StopCriterion(double[] generationValues)
    {
        var p = _parameters;
        double tolX = _settings.TolX ?? 1e-12 * _settings.InitialSigma;
        if (Enumerable.Range(0, _n).All(i =>
                _sigma * Math.Max(Math.Abs(_covariancePath[i]), Math.Sqrt(_covariance[i][i])) < tolX))
        {
            return "TolX";
        }
        double condition = Math.Pow(_axisLengths[_n - 1] / _axisLengths[0], 2.0);
        if (!(condition <= _settings.MaxConditionNumber))
        {
            return "ConditionCov";
        }
        int axis = RunGeneration % _n;
        if (Enumerable.Range(0, _n).All(i =>
                _mean[i] + 0.1 * _sigma * _axisLengths[axis] * _eigenVectors[i][axis] == _mean[i]))
        {
            return "NoEffectAxis";
        }
        if (Enumerable.Range(0, _n).Any(i => _mean[i] + 0.2 * _sigma * Math.Sqrt(_covariance[i][i]) == _mean[i]))
        {
            return "NoEffectCoord";
        }
        int tolFunWindow = 10 + (int)Math.Ceiling(30.0 * _n / p.Lambda);
        if (RunGeneration >= tolFunWindow)
        {
            var recent = _bestHistory.Skip(_bestHistory.Count - tolFunWindow).Concat(generationValues).ToArray();
            double range = recent.Max() - recent.Min();
            if (range < _settings.TolFun)
            {
                return "TolFun";
            }
        }
        if (Stagnated())
        {
            return "Stagnation";
        }
        return null;
    }

    /// <summary>
    /// Over the last 20% of generations (at least 120 + 30n/λ), the medians of the most recent 30% of the best and of the
    /// median values are both no better than those of the oldest 30%.
    /// </summary>
    private bool Stagnated()
    {
        int minimum = 120 + (int)Math.Ceiling(30.0 * _n / _parameters.Lambda);
        if (RunGeneration <= minimum)
        {
            return false;
        }
        int window = Math.Min(Math.Max(minimum, RunGeneration / 5), _bestHistory.Count);
        return NotImproving(_bestHistory, window) && NotImproving(_medianHistory, window);
    }

    private static bool NotImproving(List<double> history, int window)
    {
        int part = Math.Max(1, (int)(0.3 * window));
        var values = history.Skip(history.Count - window).ToArray();
        return Median(values.Skip(window - part)) >= Median(values.Take(part));
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : 0.5 * (sorted[middle - 1] + sorted[middle]);
    }

    /// <summary>IPOP restart: larger λ, fresh distribution.</summary>
    private void Restart(string reason)
    {
        Restarts++;
        LastRestartReason = reason;
        int increases = Math.Min(Restarts, _settings.MaxPopulationIncreases);
        int lambda = (int)Math.Round(_initialLambda * Math.Pow(_settings.PopulationIncrease, increases));
        _parameters = new CmaEsParameters(_n, Math.Max(lambda, 2));
        if (_settings.Bounded)
        {
            for (int i = 0; i < _n; i++)
            {
                _mean[i] = _random.NextDouble();
            }
        }
        else
        {
            _mean = _settings.Start is { } start ? [.. start.Reals] : Enumerable.Repeat(0.5, _n).ToArray();
        }
        _sigma = _settings.InitialSigma;
        _sigmaPath = new double[_n];
        _covariancePath = new double[_n];
        _covariance = Identity(_n);
        _eigenVectors = Identity(_n);
        _axisLengths = Enumerable.Repeat(1.0, _n).ToArray();
        _eigenEvaluations = Evaluations;
        _bestHistory.Clear();
        _medianHistory.Clear();
        _categoryProbabilities = CategoryDistribution.Initial(Space, _settings.Start);
        RunGeneration = 0;
    }

    private static void Remember(List<double> history, double value)
    {
        history.Add(value);
        if (history.Count > MaxHistory)
        {
            history.RemoveAt(0);
        }
    }

    private static double[][] Identity(int n)
    {
        var matrix = new double[n][];
        for (int i = 0; i < n; i++)
        {
            matrix[i] = new double[n];
            matrix[i][i] = 1.0;
        }
        return matrix;
    }

    private double[] Vector(double[] values, string name) =>
        values.Length == _n && values.All(double.IsFinite)
            ? [.. values]
            : throw new ArgumentException($"cmaes state: {name} must hold {_n} finite values");

    private double[][] Matrix(double[][] rows, string name) =>
        rows.Length == _n ? rows.Select(r => Vector(r, name)).ToArray()
            : throw new ArgumentException($"cmaes state: {name} must be {_n}×{_n}");
}
