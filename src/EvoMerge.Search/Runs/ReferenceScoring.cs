using System.Text.Json;
using EvoMerge.Merging.Methods;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using EvoMerge.Optimization;
using EvoMerge.Search.Scoring;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Runs;

/// <summary>
/// Scores a run's reference points once and keeps them in <c>references.json</c> in the run directory (atomically;
/// read back on resume, rescored only when the objectives changed): the base model, every source model, and three
/// plain merges of all sources — <c>linear</c> (uniform average), <c>task_arithmetic</c> (weight 1 each) and
/// <c>ties</c> (weight 1, density 0.5). Each is built like a candidate, in memory by the run's materialiser, from a
/// recipe the composer writes (the base as task arithmetic with weight 0, source i as a linear merge with weight 1 on
/// it and 0 on the others; with a layer ordering, every layer kept once in order at scale 1), and scored by the
/// run's evaluator on every item (no cheap-first, no racing). So it costs 3 + N + 1 candidate evaluations per run, never
/// repeated, and no disk or extra memory. With a <see cref="ScoreCache"/>, a reference whose key
/// (<see cref="ReferenceScoreKeys"/>) has an entry is not built nor scored: its values come from the entry (marked
/// <see cref="ReferenceModel.FromCache"/>), and every reference scored is written there for later runs. A reference
/// that cannot be built or scored keeps NaN objectives and its reason (and is not cached); nothing here stops the
/// search. Call it between generations (it uses the materialiser's model).
/// </summary>
public static class ReferenceScoring
{
    private static readonly JsonSerializerOptions Json = new(SearchCheckpoint.Json) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// The reference points from <c>references.json</c>, or scored now (through <paramref name="cache"/> when given)
    /// and written there.
    /// </summary>
    public static IReadOnlyList<ReferenceModel> LoadOrScore(SearchRun run, ScoreCache? cache = null)
    {
        var files = new RunFiles(run.Setup.Config.RunDirectory);
        string[] names = run.Setup.Config.Objectives.Select(o => o.Name).ToArray();
        if (TryLoad(files.References, names) is { } known) return known;
        var scored = Score(run, cache);
        AtomicFile.WriteAllText(files.References, JsonSerializer.Serialize(new ReferenceFile(names, scored), Json) + "\n");
        return scored;
    }

    /// <summary>
    /// Scores every reference point (no run file written; entries of <paramref name="cache"/> used and written), telling
    /// the run's observer how many are done and, with a cache, how many came from it.
    /// </summary>
    public static IReadOnlyList<ReferenceModel> Score(SearchRun run, ScoreCache? cache = null)
    {
        var references = Plan(run.Setup.Config);
        var keys = cache is null ? null : Keys(run.Setup, cache);
        var scored = new List<ReferenceModel>(references.Count);
        run.Observer?.ReferencesScored(0, references.Count);
        foreach (var r in references)
        {
            scored.Add(ScoreCandidate(run, r.Label, r.Kind, r.Method, r.PerModel, cache, keys));
            run.Observer?.ReferencesScored(scored.Count, references.Count);
        }
        if (cache is not null) run.Observer?.ReferencesFromCache(scored.Count(r => r.FromCache), references.Count, cache.Directory);
        return scored;
    }

    /// <summary>How many of <paramref name="setup"/>'s reference points <paramref name="cache"/> holds (what a run reuses).</summary>
    public static int CountCached(SearchSetup setup, ScoreCache cache)
    {
        if (Keys(setup, cache) is not { } keys) return 0;
        int count = setup.Config.Objectives.Count;
        return Plan(setup.Config).Count(r =>
        {
            try
            {
                return cache.Contains(keys.Key(Compose(setup, r.Method, r.PerModel), setup.Config.Methods.Get(r.Method).UsesRandomness), count);
            }
            catch (ArgumentException)
            {
                return false;
            }
        });
    }

    /// <summary>How many reference points <see cref="Score"/> scores for <paramref name="config"/>.</summary>
    public static int Count(SearchConfig config) => Plan(config).Count;

    /// <summary>The reference points of <paramref name="config"/>: the base, each source alone and three plain merges.</summary>
    private static List<(string Label, ReferenceKind Kind, string Method, IReadOnlyDictionary<string, double>[] PerModel)> Plan(SearchConfig config)
    {
        int sources = config.Models.Count;
        IReadOnlyDictionary<string, double>[] Each(Func<int, IReadOnlyDictionary<string, double>> parameters) => [.. Enumerable.Range(0, sources).Select(parameters)];
        var weightOne = new Dictionary<string, double> { ["weight"] = 1.0 };
        var references = new List<(string Label, ReferenceKind Kind, string Method, IReadOnlyDictionary<string, double>[] PerModel)>
        {
            (Path.GetFileName(config.BaseModel.TrimEnd('/')) + " (base)", ReferenceKind.Base, TaskArithmeticMerge.MethodName, Each(_ => new Dictionary<string, double> { ["weight"] = 0.0 })),
        };
        for (int i = 0; i < sources; i++)
        {
            int own = i;
            references.Add((Path.GetFileName(config.Models[i].TrimEnd('/')), ReferenceKind.Source, LinearMerge.MethodName, Each(s => new Dictionary<string, double> { ["weight"] = s == own ? 1.0 : 0.0 })));
        }
        references.Add(($"{LinearMerge.MethodName} (uniform)", ReferenceKind.Baseline, LinearMerge.MethodName, Each(_ => weightOne)));
        references.Add(($"{TaskArithmeticMerge.MethodName} w=1", ReferenceKind.Baseline, TaskArithmeticMerge.MethodName, Each(_ => weightOne)));
        references.Add(($"{TiesMerge.MethodName} w=1 d=0.5", ReferenceKind.Baseline, TiesMerge.MethodName, Each(_ => new Dictionary<string, double> { ["weight"] = 1.0, ["density"] = 0.5 })));
        return references;
    }

    private static ReferenceModel ScoreCandidate(SearchRun run, string label, ReferenceKind kind, string method, IReadOnlyDictionary<string, double>[] perModel,
        ScoreCache? cache, ReferenceScoreKeys? keys)
    {
        var setup = run.Setup;
        try
        {
            var recipe = Compose(setup, method, perModel);
            string? key = keys?.Key(recipe, setup.Config.Methods.Get(method).UsesRandomness);
            int count = setup.Config.Objectives.Count;
            if (key is not null && cache!.TryRead(key, count) is { } values) return new ReferenceModel(label, kind, values, FromCache: true);
            run.Materializer.Materialize(recipe);
            var evaluation = setup.CreateEvaluator().Evaluate(recipe.Hash, run.Materializer.Model, new SearchRandom(0), []);
            if (evaluation.Status != EvaluationStatus.Scored) return Failed(setup, label, kind, evaluation.Reason ?? "not scored");
            var reference = new ReferenceModel(label, kind, evaluation.Objectives);
            if (key is not null && reference.IsScored) cache!.Write(key, label, setup.Config.Objectives.Select(o => o.Name).ToArray(), reference.Objectives);
            return reference;
        }
        catch (Exception e) when (e is not (OutOfMemoryException or OperationCanceledException))
        {
            return Failed(setup, label, kind, e.Message);
        }
    }

    /// <summary>The recipe of a reference point: every group with the same per-model values; with a layer ordering, every layer once in order.</summary>
    private static CandidateRecipe Compose(SearchSetup setup, string method, IReadOnlyDictionary<string, double>[] perModel)
    {
        var layout = setup.Layout;
        var groups = Enumerable.Range(0, layout.GroupCount).Select(_ => new GroupParameters(perModel, new Dictionary<string, double>())).ToArray();
        var slots = layout.SlotCount == 0 ? null : Enumerable.Range(0, layout.LayerCount).Select(l => new LayerSlot(l, l, LayerSlot.MergedOrigin, 1.0)).ToArray();
        return setup.Composer.Compose(new MergeCandidate(method, groups, slots));
    }

    /// <summary>The keys of <paramref name="setup"/>'s references, or null (reported) when its models or tasks cannot be hashed.</summary>
    private static ReferenceScoreKeys? Keys(SearchSetup setup, ScoreCache cache)
    {
        try
        {
            return new ReferenceScoreKeys(setup, cache.Hashes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            cache.Report($"score cache not used: {e.Message}");
            return null;
        }
    }

    private static ReferenceModel Failed(SearchSetup setup, string label, ReferenceKind kind, string reason) =>
        new(label, kind, Enumerable.Repeat(double.NaN, setup.Config.Objectives.Count).ToArray(), reason);

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
