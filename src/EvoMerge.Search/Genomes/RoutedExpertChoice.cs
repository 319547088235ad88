namespace EvoMerge.Search.Genomes;

/// <summary>
/// The routed genes of a decoded candidate (config <c>genome.routed</c>): the experts' rank (null: full rank) and the
/// router temperature. The backbone method is the candidate's <see cref="MergeCandidate.Method"/>.
/// </summary>
public sealed record RoutedExpertChoice(int? Rank, double Temperature);
