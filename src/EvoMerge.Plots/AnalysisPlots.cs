using EvoMerge.Evaluation;
using EvoMerge.Search.Analysis;
using EvoMerge.Tensors;
using ScottPlot;

namespace EvoMerge.Plots;

/// <summary>
/// PNG plots of <c>evomerge analyze</c>: heatmaps of the pairwise cosine and sign-conflict rate per layer
/// (<c>cosine-per-layer.png</c>, <c>sign-conflict-per-layer.png</c>; rows are layers and the tensors outside them,
/// columns are model pairs) and, with tasks, one chart of the interpolation paths per task on its loss
/// (<c>paths-TASK.png</c>) and, where the task's first metric is not the loss, one on that metric (<c>paths-TASK-acc.png</c>).
/// </summary>
public static class AnalysisPlots
{
    /// <summary>Writes the plots into <paramref name="directory"/> (created when missing), each atomically; returns their paths.</summary>
    public static IReadOnlyList<string> Write(AnalysisReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        void Save(string name, byte[] png)
        {
            string file = Path.Combine(directory, name);
            AtomicFile.WriteAllBytes(file, png);
            written.Add(file);
        }
        var rows = report.Groups.Where(g => g.Layer is not null && g.Kind == TensorKindGroup.AllKinds).ToList();
        if (rows.Count > 0 && rows[0].Pairs.Count > 0)
        {
            Save("cosine-per-layer.png", Heatmap("Cosine of task vectors per layer", rows, p => p.Cosine));
            Save("sign-conflict-per-layer.png", Heatmap("Sign-conflict rate per layer", rows, p => p.SignConflictRate));
        }
        foreach (var task in report.Paths.GroupBy(p => p.Task, StringComparer.Ordinal))
        {
            string stem = $"paths-{string.Concat(task.Key.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_'))}";
            Save($"{stem}.png", PathChart(task.Key, [.. task]));
            if (task.First().Score is { } score) Save($"{stem}-{score.Metric}.png", ScoreChart(task.Key, [.. task]));
        }
        return written;
    }

    /// <summary>PNG bytes of a layers × pairs heatmap of one pair statistic (blank where undefined).</summary>
    public static byte[] Heatmap(string title, IReadOnlyList<GroupStatistics> rows, Func<PairStatistics, double?> value, int width = 900, int height = 600)
    {
        BundledFont.Register();
        var plot = new Plot();
        try
        {
            plot.Font.Set(BundledFont.Name);
            plot.Title(title);
            var pairs = rows[0].Pairs;
            var values = new double[rows.Count, pairs.Count];
            for (int r = 0; r < rows.Count; r++)
                for (int c = 0; c < pairs.Count; c++) values[r, c] = value(rows[r].Pairs[c]) ?? double.NaN;
            var heatmap = plot.Add.Heatmap(values);
            heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
            heatmap.Extent = new CoordinateRect(-0.5, pairs.Count - 0.5, rows.Count - 0.5, -0.5);
            plot.Add.ColorBar(heatmap);
            plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, pairs.Count).Select(c => (double)c)], [.. pairs.Select(p => p.A + " / " + p.B)]);
            plot.Axes.Left.SetTicks([.. Enumerable.Range(0, rows.Count).Select(r => (double)r)], [.. rows.Select(g => g.Group)]);
            plot.Axes.SetLimits(-0.5, pairs.Count - 0.5, rows.Count - 0.5, -0.5);
            return plot.GetImageBytes(width, height, ImageFormat.Png);
        }
        finally
        {
            plot.Dispose();
        }
    }

    /// <summary>PNG bytes of one task's interpolation paths: the loss against t, one line per path; "(barrier)" marks the verdict.</summary>
    public static byte[] PathChart(string task, IReadOnlyList<InterpolationPath> paths, int width = 900, int height = 550) =>
        Chart($"Interpolation paths: {task} (loss; lower is better)", TaskLoss.Describe(paths[0].Metric), paths,
            p => p.Values, p => $"{p.From} → {p.To}{(p.HasBarrier ? " (barrier)" : "")}", width, height);

    /// <summary>PNG bytes of one task's paths on its first metric (<see cref="InterpolationPath.Score"/>), shown next to the loss, not judged.</summary>
    public static byte[] ScoreChart(string task, IReadOnlyList<InterpolationPath> paths, int width = 900, int height = 550) =>
        Chart($"Interpolation paths: {task} ({paths[0].Score!.Metric}; not judged)", paths[0].Score!.Metric, paths,
            p => p.Score!.Values, p => $"{p.From} → {p.To}", width, height);

    private static byte[] Chart(string title, string yLabel, IReadOnlyList<InterpolationPath> paths, Func<InterpolationPath, IReadOnlyList<double>> values,
        Func<InterpolationPath, string> legend, int width, int height)
    {
        BundledFont.Register();
        var plot = new Plot();
        try
        {
            plot.Font.Set(BundledFont.Name);
            plot.Title(title);
            plot.XLabel("t  (θ = (1 − t)·θ_from + t·θ_to)");
            plot.YLabel(yLabel);
            var palette = new ScottPlot.Palettes.Category10();
            for (int i = 0; i < paths.Count; i++)
            {
                var line = plot.Add.Scatter(paths[i].T.ToArray(), values(paths[i]).ToArray(), palette.GetColor(i));
                line.LineWidth = 2;
                line.MarkerSize = 5;
                line.LegendText = legend(paths[i]);
            }
            plot.ShowLegend(Edge.Right);
            return plot.GetImageBytes(width, height, ImageFormat.Png);
        }
        finally
        {
            plot.Dispose();
        }
    }
}
