namespace EvoMerge.Optimization;

/// <summary>Matches told evaluations to the batch that was asked, so optimizers process them in ask order.</summary>
internal static class AskedBatch
{
    /// <summary>
    /// The evaluations in the order of <paramref name="asked"/>, sanitised and carrying the asked genome instances.
    /// Every asked genome must be told exactly once (equal genomes asked twice are told twice).
    /// </summary>
    public static EvaluatedGenome[] Align(IReadOnlyList<Genome>? asked, IReadOnlyList<EvaluatedGenome> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (asked is null)
        {
            throw new InvalidOperationException("Tell called without a pending Ask");
        }
        if (results.Count != asked.Count)
        {
            throw new ArgumentException($"{asked.Count} genomes were asked but {results.Count} evaluations told", nameof(results));
        }
        var slots = new Dictionary<Genome, Queue<int>>();
        for (int i = 0; i < asked.Count; i++)
        {
            if (!slots.TryGetValue(asked[i], out var queue))
            {
                slots[asked[i]] = queue = new Queue<int>();
            }
            queue.Enqueue(i);
        }
        var aligned = new EvaluatedGenome[asked.Count];
        foreach (var result in results)
        {
            ArgumentNullException.ThrowIfNull(result, nameof(results));
            ArgumentNullException.ThrowIfNull(result.Genome, nameof(results));
            if (!slots.TryGetValue(result.Genome, out var queue) || queue.Count == 0)
            {
                throw new ArgumentException($"told genome {result.Genome.Key} was not asked (or was told twice)", nameof(results));
            }
            int index = queue.Dequeue();
            aligned[index] = FitnessValues.Sanitize(result, asked[index]);
        }
        return aligned;
    }
}
