using System.Diagnostics;
using EvoMerge.Search.Configuration;
using EvoMerge.Optimization;

namespace EvoMerge.Search.Runs;

/// <summary>
/// Checks a config without starting a run: builds the setup, decodes a random genome (drawn from the config's seed),
/// materialises it and scores up to <see cref="SampleItems"/> items of every task, extrapolating the scoring time to
/// all items. Nothing is written.
/// </summary>
public static class SearchDryRun
{
    /// <summary>Items scored per task for the time estimate.</summary>
    public const int SampleItems = 8;

    /// <summary>Runs the dry run.</summary>
    public static DryRunReport Run(SearchConfig config)
    {
        var info = SearchSetup.DeriveInfo(config, Path.GetDirectoryName(Path.GetFullPath(config.File))!);
        var setup = SearchSetup.Create(config, info);
        var genome = setup.Layout.Space.RandomGenome(new SearchRandom(config.Seed));
        var recipe = setup.Composer.Compose(setup.Layout.Decode(genome));
        using var materializer = setup.CreateMaterializer();
        var clock = Stopwatch.StartNew();
        materializer.Materialize(recipe);
        double materialize = clock.Elapsed.TotalSeconds;
        double score = 0;
        int items = 0, sampled = 0;
        foreach (var task in setup.Tasks.Values)
        {
            int k = Math.Min(SampleItems, task.ItemCount);
            clock.Restart();
            task.ScoreItems(materializer.Model, Enumerable.Range(0, k).ToArray());
            score += clock.Elapsed.TotalSeconds * task.ItemCount / k;
            items += task.ItemCount;
            sampled += k;
        }
        return new DryRunReport(setup.Layout.Space.RealCount, setup.Layout.Space.CategoryGeneCount, setup.Layout.GeneNames(), genome.Key, recipe,
            materializer.InputBytes, materializer.ResidentBytes, materialize, score, items, sampled);
    }
}
