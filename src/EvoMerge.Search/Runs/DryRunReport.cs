using System.Globalization;
using EvoMerge.Search.Genomes;

namespace EvoMerge.Search.Runs;

/// <summary>
/// What <c>evomerge search --dry-run</c> reports: the genome's size, a random genome and its recipe, and measured
/// cost of one evaluation (memory held, materialising that genome, scoring a few items per task extrapolated to all).
/// </summary>
public sealed record DryRunReport(
    int RealGenes, int CategoricalGenes, IReadOnlyList<string> GeneNames, string GenomeKey, CandidateRecipe Recipe,
    long InputBytes, long ResidentBytes, double MaterializeSeconds, double ScoreSecondsEstimate, int ItemsPerEvaluation, int SampledItems)
{
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
        w.WriteLine($"memory: {ResidentBytes / 1048576.0:F1} MiB of tensors held ({InputBytes / 1048576.0:F1} MiB base and source weights, the rest the candidate model and buffers)");
        w.WriteLine($"time per evaluation: {MaterializeSeconds:F3} s to materialise + ~{ScoreSecondsEstimate:F2} s to score {ItemsPerEvaluation} items (measured on {SampledItems}); cheap-first scoring and cache hits cost less");
        return w.ToString();
    }
}
