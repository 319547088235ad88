namespace EvoMerge.Host;

/// <summary>What a host's start needs of the run it drives (a search or a sweep): how it ended and whether it began.</summary>
public interface IHostedRun
{
    /// <summary>How the run ended (<see cref="SearchOutcome.Running"/> until it does).</summary>
    SearchOutcome Outcome { get; set; }

    /// <summary>Whether the run's worker began the run.</summary>
    bool Started { get; }
}
