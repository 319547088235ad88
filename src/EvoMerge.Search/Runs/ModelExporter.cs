using System.Globalization;
using System.Text;
using EvoMerge.Inference;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Search.Genomes;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Runs;

/// <summary>
/// Writes an archive member as a merged model in HuggingFace layout by running its recipe through the same planner
/// and executor as <c>evomerge merge</c> (stage 1, then with a layer ordering stage 2 over stage 1's output in a
/// temporary directory), plus the recipe files (<c>merge.yml</c>, <c>layers.yml</c>) and a model card
/// (<c>README.md</c>) with the archived scores.
/// </summary>
public static class ModelExporter
{
    /// <summary>The model card's file name.</summary>
    public const string ModelCardFileName = "README.md";

    /// <summary>Exports member <paramref name="member"/> (index into archive.json's order) of a run into <paramref name="outputDirectory"/>.</summary>
    public static ArchiveMember Export(SearchSetup setup, IReadOnlyList<ArchiveMember> archive, int member, string outputDirectory)
    {
        if (member < 0 || member >= archive.Count)
            throw new ArgumentException($"--member {member}: the archive has {archive.Count} member(s) (0..{archive.Count - 1})");
        var chosen = archive[member];
        var recipe = setup.Composer.Compose(setup.Layout.Decode(chosen.Genome));
        if (recipe.Hash != chosen.Hash)
            throw new InvalidDataException($"member {member}: its genome decodes to recipe {recipe.Hash[..12]}, the archive says {chosen.Hash[..12]} (models or config changed?)");
        string output = Path.GetFullPath(outputDirectory);
        string work = output.TrimEnd('/') + ".evomerge-export-tmp";
        if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
        Directory.CreateDirectory(work);
        try
        {
            string stage1 = Path.Combine(work, CandidateRecipe.ParameterSpaceFileName);
            File.WriteAllText(stage1, recipe.ParameterSpace);
            if (recipe.DataFlow is null)
            {
                Merge(stage1, output, recipe.MergeSeed);
            }
            else
            {
                Merge(stage1, Path.Combine(work, CandidateRecipe.MergedModelName), recipe.MergeSeed);
                string stage2 = Path.Combine(work, CandidateRecipe.DataFlowFileName);
                File.WriteAllText(stage2, recipe.DataFlow);
                Merge(stage2, output, recipe.MergeSeed);
                AtomicFile.WriteAllText(Path.Combine(output, CandidateRecipe.DataFlowFileName), recipe.DataFlow);
            }
            AtomicFile.WriteAllText(Path.Combine(output, CandidateRecipe.ParameterSpaceFileName), recipe.ParameterSpace);
            AtomicFile.WriteAllText(Path.Combine(output, ModelCardFileName), ModelCard(setup, chosen, member, recipe));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        return chosen;
    }

    /// <summary>Scores an exported model directory on the run's objectives (own direction), for checking it against the archive.</summary>
    public static double[] Rescore(SearchSetup setup, string modelDirectory)
    {
        using var directory = ModelDirectory.Open(modelDirectory);
        using var model = DecoderModel.Load(directory, setup.Config.DType);
        return setup.Config.Objectives.Select(o =>
        {
            var task = setup.Tasks[o.Task];
            var values = task.ScoreItems(model, Enumerable.Range(0, task.ItemCount).ToArray());
            return task.Aggregate(o.Metric, values[o.Metric]);
        }).ToArray();
    }

    private static void Merge(string recipeFile, string output, ulong seed)
    {
        var recipe = RecipeReader.ReadFile(recipeFile);
        using var plan = MergePlanner.Build(recipe);
        using var executor = new MergeExecutor(plan, new MergeExecutionOptions { Seed = seed });
        using var sink = ModelDirectorySink.Create(plan, output, allowOverwrite: true);
        executor.Run(sink);
    }

    private static string ModelCard(SearchSetup setup, ArchiveMember member, int index, CandidateRecipe recipe)
    {
        var inv = CultureInfo.InvariantCulture;
        var config = setup.Config;
        var card = new StringBuilder();
        card.Append("---\ntags:\n  - merge\n  - evomerge\n---\n\n");
        card.Append(inv, $"# EvoMerge search result (archive member {index})\n\n");
        card.Append(inv, $"Found by `evomerge search` in generation {member.Generation}; recipe hash `{member.Hash}`.\n\n");
        card.Append("## Scores (as archived)\n\n| objective | task | metric | direction | value |\n|---|---|---|---|---|\n");
        for (int j = 0; j < config.Objectives.Count; j++)
        {
            var o = config.Objectives[j];
            card.Append(inv, $"| {o.Name} | {setup.Tasks[o.Task].Name} | {o.Metric} | {(o.Maximize ? "maximize" : "minimize")} | {member.Objectives[j]:R} |\n");
        }
        if (config.Constraints.Count > 0)
        {
            card.Append("\n## Constraints\n\n| task | metric | minimum | value |\n|---|---|---|---|\n");
            for (int c = 0; c < config.Constraints.Count; c++)
            {
                var k = config.Constraints[c];
                card.Append(inv, $"| {setup.Tasks[k.Task].Name} | {k.Metric} | {k.Minimum:R} | {member.Constraints[c]:R} |\n");
            }
        }
        card.Append("\n## Models\n\n");
        card.Append(inv, $"- base: `{config.BaseModel}`\n");
        foreach (string source in config.Models) card.Append(inv, $"- source: `{source}`\n");
        card.Append(inv, $"\n## Recipe\n\nMerge seed {recipe.MergeSeed}; {recipe.OutputLayers} layers. Reproduce with `evomerge merge {CandidateRecipe.ParameterSpaceFileName} OUT --seed {recipe.MergeSeed}`");
        card.Append(recipe.DataFlow is null ? ".\n\n" : $" into `{CandidateRecipe.MergedModelName}/`, then `evomerge merge {CandidateRecipe.DataFlowFileName} OUT`.\n\n");
        card.Append("```yaml\n").Append(recipe.ParameterSpace).Append("```\n");
        if (recipe.DataFlow is { } layers) card.Append("\n```yaml\n").Append(layers).Append("```\n");
        return card.ToString();
    }
}
