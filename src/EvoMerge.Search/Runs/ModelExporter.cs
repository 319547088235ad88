using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Merging.Execution;
using EvoMerge.Optimization.Pareto;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Routed;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Runs;

/// <summary>
/// Writes an archive member as a merged model in HuggingFace layout by running its recipe through the same planner
/// and executor as <c>evomerge merge</c> (stage 1, then with a layer ordering stage 2 over stage 1's output in a
/// temporary directory; a routed member's recipe writes the routed-experts format), plus the recipe files (<c>merge.yml</c>, <c>layers.yml</c>) and a model card
/// (<c>README.md</c>) with the archived scores.
/// </summary>
public static class ModelExporter
{
    /// <summary>The model card's file name.</summary>
    public const string ModelCardFileName = "README.md";

    /// <summary>
    /// Opens run <paramref name="runDirectory"/> for export: refused (<see cref="RunChangedException"/>) when its config,
    /// tasks or models changed since the run started, since its members were scored on the recorded inputs.
    /// </summary>
    public static SearchSetup OpenRun(string runDirectory)
    {
        RunInputCheck.VerifyForExport(new RunFiles(Path.GetFullPath(runDirectory)));
        return SearchSetup.Open(runDirectory);
    }

    /// <summary>
    /// Exports member <paramref name="member"/> (index into archive.json's order) of a run into
    /// <paramref name="outputDirectory"/>, refusing one that is, is inside or contains the run's base or a source
    /// model, the run directory, a task file or its data (symbolic links and ".." resolved), and a non-empty one unless
    /// <paramref name="allowOverwrite"/>. The model is written in a temporary sibling directory and renamed into place;
    /// over an existing directory, the files an export does not own (model, tokenizer, recipe and card files) are kept.
    /// </summary>
    public static ArchiveMember Export(SearchSetup setup, IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> archive, int member, string outputDirectory,
        bool allowOverwrite = false)
    {
        if (member < 0 || member >= archive.Count)
            throw new ArgumentException($"--member {member}: the archive has {archive.Count} member(s) (0..{archive.Count - 1})");
        var chosen = archive[member].Payload;
        var recipe = setup.Composer.Compose(setup.Layout.Decode(chosen.Genome));
        if (recipe.Hash != chosen.Hash)
            throw new InvalidDataException($"member {member}: its genome decodes to recipe {recipe.Hash[..12]}, the archive says {chosen.Hash[..12]} (models or config changed?)");
        if (RealPath.OverlapMessage(outputDirectory, Inputs(setup)) is { } overlap) throw new IOException(overlap);
        string output = RealPath.Resolve(outputDirectory);
        if (File.Exists(output)) throw new IOException($"{outputDirectory}: is a file, not a directory");
        bool exists = Directory.Exists(output);
        if (exists && !allowOverwrite && Directory.EnumerateFileSystemEntries(output).Any())
            throw new IOException($"{outputDirectory}: output directory exists and is not empty (--allow-overwrite replaces its model files)");
        string parent = Path.GetDirectoryName(output) ?? throw new ArgumentException($"{outputDirectory}: cannot export into the root directory");
        string? created = null;
        for (string? d = parent; d is not null && !Directory.Exists(d); d = Path.GetDirectoryName(d)) created = d;
        string stem = Path.Combine(parent, "." + Path.GetFileName(output) + ".evomerge-export-" + Guid.NewGuid().ToString("N")[..8]);
        string staged = stem + "-model", work = stem + "-work";
        try
        {
            Directory.CreateDirectory(work);
            WriteModel(setup, chosen, member, recipe, staged, work);
            PutInPlace(staged, output, exists);
        }
        catch
        {
            if (created is not null) Delete(created);
            throw;
        }
        finally
        {
            Delete(work);
            Delete(staged);
        }
        return chosen;
    }

    /// <summary>
    /// What an export reads or must leave alone: the base and source models, the run directory, every task file with
    /// its data files, and the proxy task files.
    /// </summary>
    private static IEnumerable<(string What, string Path)> Inputs(SearchSetup setup)
    {
        var config = setup.Config;
        yield return ("the run's base model", config.BaseModel);
        for (int i = 0; i < config.Models.Count; i++) yield return ($"the run's source model models[{i}]", config.Models[i]);
        yield return ("the run directory", config.RunDirectory);
        foreach (var task in setup.Tasks.Values)
        {
            yield return ($"the run's task file of '{task.Name}'", task.File);
            if (task is not EvalTaskScorer scorer) continue;
            yield return ($"the data file of task '{task.Name}'", scorer.Task.Definition.DataFile);
            yield return ($"the few-shot data file of task '{task.Name}'", scorer.Task.Definition.FewshotDataFile);
        }
        foreach (string proxy in config.ProxyTasks ?? []) yield return ("the run's proxy task file", proxy);
    }

    /// <summary>Names of the files an export writes or replaces; other entries of an overwritten directory are kept.</summary>
    private static bool IsOwnedFile(string name) =>
        name is ModelWeights.SingleFileName or ModelWeights.IndexFileName or "config.json" or ModelDirectorySink.RecipeFileName
            or CandidateRecipe.ParameterSpaceFileName or CandidateRecipe.DataFlowFileName or ModelCardFileName
        || ModelDirectory.AuxiliaryFileNames.Contains(name)
        || (name.StartsWith("model-", StringComparison.Ordinal) && name.EndsWith(".safetensors", StringComparison.Ordinal));

    private static void WriteModel(SearchSetup setup, ArchiveMember chosen, int member, CandidateRecipe recipe, string output, string work)
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
        AtomicFile.WriteAllText(Path.Combine(output, ModelCardFileName), ExportModelCard.Text(setup, chosen, member, recipe));
    }

    /// <summary>
    /// Renames the finished <paramref name="staged"/> directory to <paramref name="output"/>. An existing directory is
    /// swapped out first (and back on failure); its entries that the export does not own then move into the new one,
    /// and the rest is deleted.
    /// </summary>
    private static void PutInPlace(string staged, string output, bool exists)
    {
        if (!exists)
        {
            Directory.Move(staged, output);
            return;
        }
        string replaced = staged + "-replaced";
        Directory.Move(output, replaced);
        try
        {
            Directory.Move(staged, output);
        }
        catch
        {
            Directory.Move(replaced, output);
            throw;
        }
        foreach (string entry in Directory.EnumerateFileSystemEntries(replaced))
        {
            string name = Path.GetFileName(entry), target = Path.Combine(output, name);
            if (IsOwnedFile(name) || Path.Exists(target)) continue;
            if (Directory.Exists(entry)) Directory.Move(entry, target);
            else File.Move(entry, target);
        }
        Delete(replaced);
    }

    private static void Delete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Scores an exported model directory on the run's objectives (own direction), for checking it against the archive.</summary>
    public static double[] Rescore(SearchSetup setup, string modelDirectory)
    {
        using var directory = ModelDirectory.OpenRoutedAware(modelDirectory);
        using var model = DecoderModel.Load(directory, setup.Config.DType);
        return setup.Config.Objectives.Select(o =>
        {
            var task = setup.Tasks[o.Task];
            var values = task.ScoreItems(model, Enumerable.Range(0, task.ItemCount).ToArray());
            return task.Aggregate(o.Metric, values[o.Metric]);
        }).ToArray();
    }

    /// <summary>What <c>evomerge merge RECIPE OUT --seed SEED</c> runs (<see cref="RecipeMergeRun"/>: proxy activations, and a routed recipe's experts).</summary>
    private static void Merge(string recipeFile, string output, ulong seed)
    {
        using var merge = RecipeMergeRun.Open(recipeFile);
        using var sink = ModelDirectorySink.Create(merge.Plan, output);
        using var executor = new MergeExecutor(merge.Plan, new MergeExecutionOptions { Seed = seed, ProxyActivations = merge.Proxy });
        executor.Run(sink);
        merge.Complete(output, SafetensorsWriter.DefaultMaxShardBytes);
    }
}
