using EvoMerge.Evaluation;
using EvoMerge.Search.Genomes;
using EvoMerge.Optimization;

namespace EvoMerge.Search.Runs;

/// <summary>
/// One candidate of a generation to materialise and score: everything an evaluation needs besides the loaded sources,
/// so any evaluator holding the same config gives the same result. Subsets are the items drawn for it in candidate
/// order: cheap-first's subset, or racing's full item order scored in rounds (null: score every item); the front is
/// the per-item results screening or racing compares with.
/// </summary>
/// <param name="Generation">The generation asking.</param>
/// <param name="Index">The candidate's index in the generation's batch.</param>
/// <param name="Genome">The genome (what travels to remote evaluators).</param>
/// <param name="Recipe">The recipe composed from it.</param>
/// <param name="Subsets">Cheap-first item subsets or racing item orders per objective task name, or null.</param>
/// <param name="Front">Per-item results of the front's feasible members (empty when not screening).</param>
public sealed record EvaluationJob(int Generation, int Index, Genome Genome, CandidateRecipe Recipe, IReadOnlyDictionary<string, int[]>? Subsets,
    IReadOnlyList<ItemScores> Front);
