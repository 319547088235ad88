using System.Globalization;

namespace EvoMerge.Search.Runs;

/// <summary>What <c>evomerge search</c> prints when a run ends: totals and the archive, one member a line.</summary>
public static class RunSummary
{
    /// <summary>The run's totals, then one line per archive member with its objectives.</summary>
    public static string Text(SearchRun run)
    {
        var w = new StringWriter(CultureInfo.InvariantCulture);
        var inv = CultureInfo.InvariantCulture;
        var objectives = run.Setup.Config.Objectives;
        var last = run.Statistics.Count > 0 ? run.Statistics[^1] : null;
        w.WriteLine(string.Create(inv, $"run {run.Setup.Config.RunDirectory}: {run.Generation} generations, {run.EvaluationsScored} candidates scored, {run.CacheSize} distinct recipes, item evaluations saved {run.Statistics.Sum(s => s.ItemEvaluationsSaved)}, hypervolume {last?.Hypervolume ?? 0:G6}"));
        w.WriteLine($"{"member",6}  {"hash",-12}  {string.Join("  ", objectives.Select(o => $"{o.Name,14}"))}  generation");
        for (int k = 0; k < run.Archive.Count; k++)
        {
            var member = run.Archive[k].Payload;
            w.WriteLine(string.Create(inv, $"{k,6}  {member.Hash[..12],-12}  {string.Join("  ", member.Objectives.Select(v => $"{v,14:G6}"))}  {member.Generation,10}"));
        }
        return w.ToString();
    }
}
