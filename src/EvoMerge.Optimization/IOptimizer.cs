namespace EvoMerge.Optimization;

/// <summary>
/// An ask/tell optimizer. <see cref="Ask"/> hands out one batch of candidates; <see cref="Tell"/> takes the
/// evaluations of exactly that batch (in any order, matched by genome). Asking again before telling returns the same
/// batch. All objectives are minimised. <see cref="SaveState"/> captures everything, including a batch asked but not
/// yet told, so that an optimizer restored through <see cref="OptimizerRegistry.Restore"/> continues exactly as the
/// original would have.
/// </summary>
public interface IOptimizer
{
    /// <summary>Registry name, e.g. <c>nsga2</c>.</summary>
    string Name { get; }

    /// <summary>The space searched.</summary>
    GeneSpace Space { get; }

    /// <summary>Number of batches told so far.</summary>
    int Generation { get; }

    /// <summary>The next batch of candidates to evaluate.</summary>
    IReadOnlyList<Genome> Ask();

    /// <summary>The evaluations of every genome of the last <see cref="Ask"/>.</summary>
    void Tell(IReadOnlyList<EvaluatedGenome> results);

    /// <summary>A snapshot of the complete state, serialisable with System.Text.Json.</summary>
    OptimizerState SaveState();
}
