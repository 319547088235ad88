using EvoMerge.Optimization.Nsga2.Operators;
using EvoMerge.Optimization.Pareto;

namespace EvoMerge.Optimization.Nsga2;

/// <summary>
/// NSGA-II (Deb, Pratap, Agarwal and Meyarivan 2002). Generation 0 is the initial genomes plus uniform random ones;
/// every later batch is <see cref="Nsga2Settings.PopulationSize"/> offspring of parents chosen by binary tournament
/// on (rank, crowding distance), recombined by bounded SBX (real genes) and uniform crossover (categorical genes) and
/// mutated by polynomial mutation and random reset. Survival is elitist (μ+λ): parents and offspring are sorted into
/// fronts under constrained dominance and the last front that does not fit is cut by crowding distance.
/// Children identical to a current parent or sibling are mutated again (up to <see cref="Nsga2Settings.DuplicateRetries"/> times).
/// </summary>
public sealed class Nsga2Optimizer : IOptimizer
{
    /// <summary>Registry name.</summary>
    public const string OptimizerName = "nsga2";

    private readonly Nsga2Settings _settings;
    private readonly SearchRandom _random;
    private readonly SimulatedBinaryCrossover _crossover;
    private readonly PolynomialMutation _realMutation;
    private readonly RandomResetMutation _categoryMutation;
    private List<EvaluatedGenome> _population;
    private Genome[]? _pending;

    /// <summary>A fresh optimizer; all random choices derive from <paramref name="seed"/>.</summary>
    public Nsga2Optimizer(GeneSpace space, Nsga2Settings settings, ulong seed)
        : this(space, settings, new SearchRandom(seed), 0, [], null)
    {
    }

    /// <summary>An optimizer continuing from <paramref name="state"/>.</summary>
    public Nsga2Optimizer(Nsga2State state)
        : this(state.Space, state.Settings, SearchRandom.FromState(state.Random), state.Generation,
            state.Population.Select(e => FitnessValues.Sanitize(e, e.Genome.Copy())).ToList(),
            state.Pending?.Select(g => g.Copy()).ToArray())
    {
        foreach (var member in _population)
        {
            Space.Validate(member.Genome);
        }
        foreach (var genome in _pending ?? [])
        {
            Space.Validate(genome);
        }
    }

    private Nsga2Optimizer(GeneSpace space, Nsga2Settings settings, SearchRandom random, int generation,
        List<EvaluatedGenome> population, Genome[]? pending)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate(space);
        Space = space;
        _settings = settings;
        _random = random;
        Generation = generation;
        _population = population;
        _pending = pending;
        _crossover = new SimulatedBinaryCrossover(settings.CrossoverEta, settings.VariableCrossoverProbability);
        _realMutation = new PolynomialMutation(settings.MutationEta,
            settings.RealMutationProbability ?? (space.RealCount > 0 ? 1.0 / space.RealCount : 0.0));
        _categoryMutation = new RandomResetMutation(
            settings.CategoryMutationProbability ?? (space.CategoryGeneCount > 0 ? 1.0 / space.CategoryGeneCount : 0.0));
    }

    public string Name => OptimizerName;

    public GeneSpace Space { get; }

    public int Generation { get; private set; }

    /// <summary>The current parents, best front first.</summary>
    public IReadOnlyList<EvaluatedGenome> Population => _population;

    public IReadOnlyList<Genome> Ask()
    {
        _pending ??= _population.Count == 0 ? InitialPopulation() : Offspring();
        return _pending.Select(g => g.Copy()).ToArray();
    }

    public void Tell(IReadOnlyList<EvaluatedGenome> results)
    {
        var told = AskedBatch.Align(_pending, results);
        int objectiveCount = _population.Count > 0 ? _population[0].Objectives.Length : told[0].Objectives.Length;
        if (objectiveCount == 0 || told.Any(e => e.Objectives.Length != objectiveCount))
        {
            throw new ArgumentException($"every evaluation needs the same non-zero number of objectives ({objectiveCount})", nameof(results));
        }
        _population = Survivors([.. _population, .. told], _settings.PopulationSize);
        _pending = null;
        Generation++;
    }

    public OptimizerState SaveState() => new Nsga2State(
        Space,
        _settings,
        _random.ExportState(),
        Generation,
        _population.Select(e => e with { Genome = e.Genome.Copy(), Objectives = (double[])e.Objectives.Clone() }).ToArray(),
        _pending?.Select(g => g.Copy()).ToArray());

    private Genome[] InitialPopulation()
    {
        int size = _settings.PopulationSize;
        var seen = new HashSet<Genome>();
        var genomes = new List<Genome>(size);
        foreach (var genome in _settings.InitialGenomes.Take(size))
        {
            genomes.Add(genome.Copy());
            seen.Add(genome);
        }
        while (genomes.Count < size)
        {
            var genome = Space.RandomGenome(_random);
            for (int retry = 0; retry < _settings.DuplicateRetries && seen.Contains(genome); retry++)
            {
                genome = Space.RandomGenome(_random);
            }
            genomes.Add(genome);
            seen.Add(genome);
        }
        return [.. genomes];
    }

    private Genome[] Offspring()
    {
        int size = _settings.PopulationSize;
        var fronts = NondominatedSorting.Fronts(_population);
        int[] ranks = NondominatedSorting.Ranks(_population, fronts);
        var crowding = new double[_population.Count];
        foreach (var front in fronts)
        {
            double[] distances = CrowdingDistance.Compute(_population, front);
            for (int i = 0; i < front.Count; i++)
            {
                crowding[front[i]] = distances[i];
            }
        }
        var seen = new HashSet<Genome>(_population.Select(e => e.Genome));
        var children = new List<Genome>(size);
        while (children.Count < size)
        {
            var first = _population[Tournament(ranks, crowding)].Genome.Copy();
            var second = _population[Tournament(ranks, crowding)].Genome.Copy();
            if (_random.NextDouble() < _settings.CrossoverProbability)
            {
                _crossover.Apply(first.Reals, second.Reals, _random);
                UniformCrossover.Apply(first.Categories, second.Categories, _random);
            }
            foreach (var child in new[] { first, second })
            {
                if (children.Count == size)
                {
                    break;
                }
                var mutated = Mutated(child, seen);
                children.Add(mutated);
                seen.Add(mutated);
            }
        }
        return [.. children];
    }

    private Genome Mutated(Genome child, HashSet<Genome> seen)
    {
        double[] reals = child.Reals;
        int[] categories = child.Categories;
        _realMutation.Apply(reals, _random);
        _categoryMutation.Apply(categories, Space.CategoryCounts, _random);
        var result = new Genome((double[])reals.Clone(), (int[])categories.Clone());
        for (int retry = 0; retry < _settings.DuplicateRetries && seen.Contains(result); retry++)
        {
            _realMutation.Apply(reals, _random);
            _categoryMutation.Apply(categories, Space.CategoryCounts, _random);
            result = new Genome((double[])reals.Clone(), (int[])categories.Clone());
        }
        return result;
    }

    /// <summary>Binary tournament: lower rank wins, then larger crowding distance, then a coin flip.</summary>
    private int Tournament(int[] ranks, double[] crowding)
    {
        int n = _population.Count;
        int i = _random.NextInt(n);
        int j = n > 1 ? (i + 1 + _random.NextInt(n - 1)) % n : i;
        if (ranks[i] != ranks[j])
        {
            return ranks[i] < ranks[j] ? i : j;
        }
        if (crowding[i] != crowding[j])
        {
            return crowding[i] > crowding[j] ? i : j;
        }
        return _random.NextDouble() < 0.5 ? i : j;
    }

    /// <summary>The best <paramref name="count"/> of <paramref name="candidates"/> by front, the last front cut by crowding distance.</summary>
    private static List<EvaluatedGenome> Survivors(List<EvaluatedGenome> candidates, int count)
    {
        var survivors = new List<EvaluatedGenome>(count);
        foreach (var front in NondominatedSorting.Fronts(candidates))
        {
            if (survivors.Count + front.Count <= count)
            {
                survivors.AddRange(front.Select(i => candidates[i]));
                continue;
            }
            double[] distances = CrowdingDistance.Compute(candidates, front);
            survivors.AddRange(Enumerable.Range(0, front.Count)
                .OrderByDescending(i => distances[i])
                .ThenBy(i => front[i])
                .Take(count - survivors.Count)
                .Select(i => candidates[front[i]]));
            break;
        }
        return survivors;
    }
}
