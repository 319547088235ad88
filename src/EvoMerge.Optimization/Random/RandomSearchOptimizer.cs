namespace EvoMerge.Optimization.Random;

/// <summary>Baseline: batches of uniformly random genomes, after the initial genomes; told results are not used.</summary>
public sealed class RandomSearchOptimizer : IOptimizer
{
    /// <summary>Registry name.</summary>
    public const string OptimizerName = "random";

    private readonly RandomSearchSettings _settings;
    private readonly SearchRandom _random;
    private int _initialGenomesAsked;
    private Genome[]? _pending;

    /// <summary>A fresh optimizer; all random choices derive from <paramref name="seed"/>.</summary>
    public RandomSearchOptimizer(GeneSpace space, RandomSearchSettings settings, ulong seed)
        : this(space, settings, new SearchRandom(seed), 0, 0, null)
    {
    }

    /// <summary>An optimizer continuing from <paramref name="state"/>.</summary>
    public RandomSearchOptimizer(RandomSearchState state)
        : this(state.Space, state.Settings, SearchRandom.FromState(state.Random), state.Generation,
            state.InitialGenomesAsked, state.Pending?.Select(g => g.Copy()).ToArray())
    {
    }

    private RandomSearchOptimizer(GeneSpace space, RandomSearchSettings settings, SearchRandom random, int generation,
        int initialGenomesAsked, Genome[]? pending)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate(space);
        if (initialGenomesAsked < 0 || initialGenomesAsked > settings.InitialGenomes.Count)
        {
            throw new ArgumentException($"initial genomes asked ({initialGenomesAsked}) out of range");
        }
        Space = space;
        _settings = settings;
        _random = random;
        Generation = generation;
        _initialGenomesAsked = initialGenomesAsked;
        _pending = pending;
    }

    public string Name => OptimizerName;

    public GeneSpace Space { get; }

    public int Generation { get; private set; }

    public IReadOnlyList<Genome> Ask()
    {
        if (_pending is null)
        {
            var batch = new Genome[_settings.BatchSize];
            for (int i = 0; i < batch.Length; i++)
            {
                batch[i] = _initialGenomesAsked < _settings.InitialGenomes.Count
                    ? _settings.InitialGenomes[_initialGenomesAsked++].Copy()
                    : Space.RandomGenome(_random);
            }
            _pending = batch;
        }
        return _pending.Select(g => g.Copy()).ToArray();
    }

    public void Tell(IReadOnlyList<EvaluatedGenome> results)
    {
        AskedBatch.Align(_pending, results);
        _pending = null;
        Generation++;
    }

    public OptimizerState SaveState() => new RandomSearchState(
        Space, _settings, _random.ExportState(), Generation, _initialGenomesAsked, _pending?.Select(g => g.Copy()).ToArray());
}
