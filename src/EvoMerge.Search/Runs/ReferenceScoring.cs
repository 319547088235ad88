using System.Globalization;
using System.Text;
using System.Text.Json;
using EvoMerge.Inference;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Search.Optimization;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Runs;

/// <summary>
/// Scores a run's reference points once and keeps them in <c>references.json</c> in the run directory (atomically;
/// read back on resume, rescored only when the objectives changed): the base model, every source model, and three
/// plain merges of all sources — <c>linear</c> (uniform average), <c>task_arithmetic</c> (weight 1 each) and
/// <c>ties</c> (weight 1, density 0.5) — merged to a temporary directory with the merge engine, loaded in the run's
/// dtype and scored by the run's evaluator on every item. A reference that cannot be merged or scored keeps NaN
/// objectives and its reason; nothing here stops the search. Costs 3 + N full evaluations per run, never repeated.
/// </summary>
public static class ReferenceScoring
{
    /// <summary>The plain merges scored: label, method, per-model parameters (YAML flow map), whether the method takes a base model.</summary>
    private static readonly (string Label, string Method, string Parameters, bool WithBase)[] Baselines =
    [
        ("linear (uniform)", "linear", "{weight: 1.0}", false),
        ("task_arithmetic w=1", "task_arithmetic", "{weight: 1.0}", true),
        ("ties w=1 d=0.5", "ties", "{weight: 1.0, density: 0.5}", true),
    ];

    private static readonly JsonSerializerOptions Json = new(SearchCheckpoint.Json) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The reference points from <c>references.json</c>, or scored now and written there.</summary>
    public static IReadOnlyList<ReferenceModel> LoadOrScore(SearchSetup setup)
    {
        var files = new RunFiles(setup.Config.RunDirectory);
        string[] names = setup.Config.Objectives.Select(o => o.Name).ToArray();
        if (TryLoad(files.References, names) is { } known) return known;
        var scored = Score(setup);
        var file = new ReferenceFile(names, scored);
        AtomicFile.WriteAllText(files.References, JsonSerializer.Serialize(file, Json) + "\n");
        return scored;
    }

    /// <summary>Scores every reference point (no file written).</summary>
    public static IReadOnlyList<ReferenceModel> Score(SearchSetup setup)
    {
        var config = setup.Config;
        var references = new List<ReferenceModel>
        {
            ScoreDirectory(setup, config.BaseModel, Path.GetFileName(config.BaseModel.TrimEnd('/')) + " (base)", ReferenceKind.Base),
        };
        references.AddRange(config.Models.Select(m => ScoreDirectory(setup, m, Path.GetFileName(m.TrimEnd('/')), ReferenceKind.Source)));
        foreach (var (label, method, parameters, withBase) in Baselines)
        {
            string work = Path.Combine(config.RunDirectory, $"references.tmp-{Guid.NewGuid():N}");
            try
            {
                var recipe = RecipeReader.Parse(Recipe(setup, method, parameters, withBase), "baseline.yml", work);
                using (var plan = MergePlanner.Build(recipe, setup.Methods))
                using (var executor = new MergeExecutor(plan, new MergeExecutionOptions { Seed = setup.Info.MergeSeed }))
                using (var sink = ModelDirectorySink.Create(plan, work, allowOverwrite: true))
                    executor.Run(sink);
                references.Add(ScoreDirectory(setup, work, label, ReferenceKind.Baseline));
            }
            catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
            {
                references.Add(Failed(setup, label, ReferenceKind.Baseline, "merging failed: " + e.Message));
            }
            finally
            {
                if (Directory.Exists(work)) Directory.Delete(work, recursive: true);
            }
        }
        return references;
    }

    private static ReferenceModel ScoreDirectory(SearchSetup setup, string directory, string label, ReferenceKind kind)
    {
        try
        {
            using var opened = ModelDirectory.Open(directory);
            using var model = DecoderModel.Load(opened, setup.Config.DType);
            var evaluation = setup.CreateEvaluator().Evaluate(label, model, new SearchRandom(0), []);
            return evaluation.Status == Scoring.EvaluationStatus.Scored
                ? new ReferenceModel(label, kind, evaluation.Objectives)
                : Failed(setup, label, kind, evaluation.Reason ?? "not scored");
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            return Failed(setup, label, kind, "scoring failed: " + e.Message);
        }
    }

    private static ReferenceModel Failed(SearchSetup setup, string label, ReferenceKind kind, string reason) =>
        new(label, kind, Enumerable.Repeat(double.NaN, setup.Config.Objectives.Count).ToArray(), reason);

    private static string Recipe(SearchSetup setup, string method, string parameters, bool withBase)
    {
        var config = setup.Config;
        var y = new StringBuilder();
        y.Append(CultureInfo.InvariantCulture, $"merge_method: {method}\n");
        if (withBase) y.Append("base_model: ").Append(Quote(config.BaseModel)).Append('\n');
        y.Append("dtype: ").Append(DTypes.ToTorchName(config.DType)).Append("\nmodels:\n");
        if (withBase) y.Append("  - model: ").Append(Quote(config.BaseModel)).Append('\n');
        foreach (string source in config.Models)
            y.Append("  - model: ").Append(Quote(source)).Append("\n    parameters: ").Append(parameters).Append('\n');
        return y.ToString();
    }

    private static string Quote(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static IReadOnlyList<ReferenceModel>? TryLoad(string path, string[] objectives)
    {
        if (!File.Exists(path)) return null;
        try
        {
            var file = JsonSerializer.Deserialize<ReferenceFile>(File.ReadAllText(path), Json);
            if (file is null || !file.Objectives.SequenceEqual(objectives) || file.References.Any(r => r.Objectives.Length != objectives.Length)) return null;
            return file.References;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>references.json: the objective names the values belong to, and the reference points.</summary>
    private sealed record ReferenceFile(string[] Objectives, IReadOnlyList<ReferenceModel> References);
}
