using System.Diagnostics;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Scoring;
using EvoMerge.Optimization;

namespace EvoMerge.Search.Runs;

/// <summary>
/// Checks a config without starting a run: builds the setup, decodes a random genome (drawn from the config's seed)
/// and shows its recipe, then measures one evaluation as a search's candidates after the first cost it. The genome
/// timed is the first the search evaluates: the first seed genome (<see cref="GenomeLayout.SeedGenomes"/>) when the
/// config seeds the search, else the random genome. A uniformly random genome is often a broken model whose every
/// generated answer runs to <c>max_new_tokens</c>, so timing it alone overestimated a search's candidates many times
/// over. The random genome is materialised first (which checks it and pays the merge code's one-time costs), then the
/// timed genome (timed); every task is scored on a few items once to warm up (one-time costs no later candidate
/// pays), then each task's scoring time measured by <see cref="TaskScoringTime.Estimate"/>. With the score cache on
/// (see <see cref="ScoreCacheLocation"/>), the models and tasks are hashed to count the
/// reference models it already holds. Nothing is written but the cache's file-hash memos.
/// </summary>
public static class SearchDryRun
{
    /// <summary>Runs the dry run, counting the cached reference scores when <paramref name="scoreCache"/> (the CLI unless <c>--no-score-cache</c>).</summary>
    public static DryRunReport Run(SearchConfig config, bool scoreCache = false)
    {
        var info = SearchSetup.DeriveInfo(config, Path.GetDirectoryName(Path.GetFullPath(config.File))!);
        var setup = SearchSetup.Create(config, info);
        var genome = setup.Layout.Space.RandomGenome(new SearchRandom(config.Seed));
        var recipe = setup.Composer.Compose(setup.Layout.Decode(genome));
        var timed = setup.Layout.SeedGenomes() is [var first, ..] ? first : genome;
        var timedRecipe = setup.Composer.Compose(setup.Layout.Decode(timed));
        using var materializer = setup.CreateMaterializer();
        materializer.Materialize(recipe);
        var clock = Stopwatch.StartNew();
        materializer.Materialize(timedRecipe);
        double materialize = clock.Elapsed.TotalSeconds;
        foreach (var task in setup.Tasks.Values) TaskScoringTime.WarmUp(task, materializer.Model);
        var cache = ScoreCacheLocation.Open(setup.Config, scoreCache);
        double score = 0;
        int items = 0, sampled = 0;
        foreach (var task in setup.Tasks.Values)
        {
            var (seconds, k) = TaskScoringTime.Estimate(task, materializer.Model, TimeProvider.System);
            score += seconds;
            items += task.ItemCount;
            sampled += k;
        }
        return new DryRunReport(setup.Layout.Space.RealCount, setup.Layout.Space.CategoryGeneCount, setup.Layout.GeneNames(), genome.Key, recipe,
            materializer.InputBytes, materializer.ResidentBytes, timed.Key, materialize, score, items, sampled, config.Budget,
            ReferenceModels: ReferenceScoring.Count(setup.Config), cache is null ? 0 : ReferenceScoring.CountCached(setup, cache), cache?.Directory,
            materializer.Model.Parameters.Values.First().device.ToString());
    }
}
