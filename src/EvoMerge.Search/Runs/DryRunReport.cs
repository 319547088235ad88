using EvoMerge.Search.Genomes;

namespace EvoMerge.Search.Runs;

/// <summary>
/// What <c>evomerge search --dry-run</c> reports: the genome's size, a random genome and its recipe, and measured
/// cost of one evaluation (memory held, materialising that genome, scoring a few items per task extrapolated to all).
/// </summary>
public sealed record DryRunReport(
    int RealGenes, int CategoricalGenes, IReadOnlyList<string> GeneNames, string GenomeKey, CandidateRecipe Recipe,
    long InputBytes, long ResidentBytes, double MaterializeSeconds, double ScoreSecondsEstimate, int ItemsPerEvaluation, int SampledItems);
