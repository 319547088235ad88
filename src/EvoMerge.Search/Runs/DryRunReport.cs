using System.Globalization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;

namespace EvoMerge.Search.Runs;

/// <summary>
/// What <c>evomerge search --dry-run</c> reports: the genome's size, a random genome and its recipe, and measured
/// cost of one evaluation after warm-up (memory held, materialising that genome, scoring a sample of each task
/// extrapolated to all its items; see <see cref="SearchDryRun"/>), and that cost times the evaluation budget and the
/// reference models a run scores once (<see cref="ReferenceScoring"/>) less those the score cache already holds
/// (<paramref name="ReferencesCached"/> in <paramref name="ScoreCacheDirectory"/>; null when the cache is off). The
/// memory is that of the tensors on <paramref name="Device"/>, where the candidate is built and scored.
/// </summary>
public sealed record DryRunReport(
    int RealGenes, int CategoricalGenes, IReadOnlyList<string> GeneNames, string GenomeKey, CandidateRecipe Recipe,
    long InputBytes, long ResidentBytes, string TimedGenomeKey, double MaterializeSeconds, double ScoreSecondsEstimate, int ItemsPerEvaluation, int SampledItems,
    BudgetConfig Budget, int ReferenceModels, int ReferencesCached = 0, string? ScoreCacheDirectory = null, string Device = "cpu")
{
    /// <summary>Seconds of one evaluation that scores every item: materialising plus the scoring estimate.</summary>
    public double EvaluationSeconds => MaterializeSeconds + ScoreSecondsEstimate;

    /// <summary>The report as <c>evomerge search --dry-run</c> prints it (the random genome drawn with <paramref name="seed"/>).</summary>
    public string ToText(ulong seed)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        w.WriteLine($"genome: {RealGenes + CategoricalGenes} genes ({RealGenes} real in [0, 1], {CategoricalGenes} categorical)");
        foreach (string name in GeneNames.Take(12)) w.WriteLine($"  {name}");
        if (GeneNames.Count > 12) w.WriteLine($"  … {GeneNames.Count - 12} more");
        w.WriteLine($"random genome (seed {seed}): {GenomeKey}");
        w.WriteLine($"recipe {Recipe.Hash[..12]} ({Recipe.OutputLayers} layers):");
        w.Write(Recipe.ParameterSpace);
        if (Recipe.DataFlow is { } layers) w.Write(layers);
        string where = Device == "cpu" ? "on cpu" : $"in {Device} memory (host memory holds the memory-mapped model files only)";
        w.WriteLine($"memory: {ResidentBytes / 1048576.0:F1} MiB of tensors held {where} ({InputBytes / 1048576.0:F1} MiB buffers the base and source tensors are read into, the rest the candidate model)");
        w.WriteLine($"timed genome (the search's first candidate): {TimedGenomeKey}");
        w.WriteLine($"time per evaluation: ~{EvaluationSeconds:F2} s ({MaterializeSeconds:F3} s to materialise + ~{ScoreSecondsEstimate:F2} s to score {ItemsPerEvaluation} items, timed on {SampledItems} after a warm-up); cheap-first screening and cache hits cost less");
        w.WriteLine(ScoreCacheDirectory is null
            ? $"score cache: off (the run scores its {ReferenceModels} reference models itself)"
            : $"score cache: {ScoreCacheDirectory} holds {ReferencesCached} of the {ReferenceModels} reference models' scores (reused, not scored again)");
        int toScore = ReferenceModels - ReferencesCached;
        if (Budget.Evaluations is { } evaluations)
        {
            double total = evaluations * EvaluationSeconds;
            string guard = Budget.WallClockSeconds is { } wall && wall < total ? $"; the wall-clock limit of {wall:0.#} s stops it sooner" : "";
            w.WriteLine($"time for the budget: ~{Duration(total)} for {evaluations} evaluations at most, + ~{Duration(toScore * EvaluationSeconds)} to score {toScore} reference models once{guard}");
        }
        return w.ToString();
    }

    /// <summary>Seconds as "42 s", "12.5 min" or "3.2 h".</summary>
    private static string Duration(double seconds) => seconds switch
    {
        < 120 => $"{seconds:F0} s",
        < 7200 => $"{seconds / 60:F1} min",
        _ => $"{seconds / 3600:F1} h",
    };
}
