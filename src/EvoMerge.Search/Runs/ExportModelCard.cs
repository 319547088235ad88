using System.Globalization;
using System.Text;
using EvoMerge.Search.Genomes;

namespace EvoMerge.Search.Runs;

/// <summary>
/// The model card (<c>README.md</c>) of an exported archive member: its archived scores and constraints, the models
/// it merges and its recipe. It holds no path of the machine that ran the search: models and proxy task files are
/// named by their directory or file name (the recipe shown is merge.yml with those names; merge.yml itself keeps the
/// paths so it reruns where the models are).
/// </summary>
public static class ExportModelCard
{
    /// <summary>The card's text for member <paramref name="index"/> of the run of <paramref name="setup"/>.</summary>
    public static string Text(SearchSetup setup, ArchiveMember member, int index, CandidateRecipe recipe)
    {
        var inv = CultureInfo.InvariantCulture;
        var config = setup.Config;
        var names = Names(setup);
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
        card.Append("\n## Models\n\nNamed by their directory names (the search's `run.json` records the fingerprints of their files).\n\n");
        card.Append(inv, $"- base: `{names[config.BaseModel]}`\n");
        foreach (string source in config.Models) card.Append(inv, $"- source: `{names[source]}`\n");
        card.Append(inv, $"\n## Recipe\n\nMerge seed {recipe.MergeSeed}; {recipe.OutputLayers} layers. Reproduce with `evomerge merge {CandidateRecipe.ParameterSpaceFileName} OUT --seed {recipe.MergeSeed}`");
        card.Append(recipe.DataFlow is null ? "" : $" into `{CandidateRecipe.MergedModelName}/`, then `evomerge merge {CandidateRecipe.DataFlowFileName} OUT`");
        card.Append(inv, $": `{CandidateRecipe.ParameterSpaceFileName}` beside this card names the models by the paths the search read them from; below, by their names.\n\n");
        card.Append("```yaml\n").Append(WithNames(recipe.ParameterSpace, names)).Append("```\n");
        if (recipe.DataFlow is { } layers) card.Append("\n```yaml\n").Append(WithNames(layers, names)).Append("```\n");
        return card.ToString();
    }

    /// <summary>
    /// Each model and proxy task path of the run (as configured) with its directory or file name; a name shared by two
    /// different paths is qualified by where the config lists it (<c>models[1]:name</c>).
    /// </summary>
    private static Dictionary<string, string> Names(SearchSetup setup)
    {
        var config = setup.Config;
        var paths = new List<(string Path, string Where)> { (config.BaseModel, "base_model") };
        paths.AddRange(config.Models.Select((m, i) => (m, $"models[{i}]")));
        paths.AddRange((config.ProxyTasks ?? []).Select((t, i) => (t, $"proxy_tasks[{i}]")));
        var distinct = paths.DistinctBy(p => p.Path).ToList();
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, where) in distinct)
        {
            string name = Name(path);
            bool shared = distinct.Count(p => Name(p.Path) == name) > 1;
            names[path] = shared ? $"{where}:{name}" : name;
        }
        return names;
    }

    private static string Name(string path) => Path.GetFileName(Path.TrimEndingDirectorySeparator(path));

    /// <summary><paramref name="recipe"/> with every configured path replaced by its name, longest paths first.</summary>
    private static string WithNames(string recipe, Dictionary<string, string> names)
    {
        foreach (var (path, name) in names.OrderByDescending(p => p.Key.Length))
            recipe = recipe.Replace(path, name, StringComparison.Ordinal);
        return recipe;
    }
}
