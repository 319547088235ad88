namespace EvoMerge.Merging.Methods;

/// <summary>How the task-arithmetic family elects one sign per element before merging (TIES "sign election").</summary>
public enum SignConsensus
{
    /// <summary>No election: every model's weighted delta is added.</summary>
    None,
    /// <summary>The sign of the sum of weighted deltas (ties go to +); what every TIES-style method uses.</summary>
    Sum,
    /// <summary>The sign of the sum of signs (majority vote; ties go to +). No registered method uses it.</summary>
    Count,
}
