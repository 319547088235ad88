namespace EvoMerge.Search.Configuration;

/// <summary>
/// Racing (<c>evaluation.racing</c>): each objective task's items are scored in a random order drawn from the run's
/// generator, in <see cref="Rounds"/> equal rounds; after every round but the last, a paired test on the items scored
/// so far (<see cref="Scoring.RacingDominanceTest"/> at <see cref="Confidence"/>, within <see cref="Margin"/>) stops
/// the candidate when an archive member dominates it.
/// </summary>
public sealed record RacingConfig(bool Enabled, int Rounds, double Confidence, double Margin)
{
    /// <summary>Racing switched off.</summary>
    public static RacingConfig Off { get; } = new(false, 4, 0.95, 0.0);
}
