using System.Globalization;
using EvoMerge.Merging;
using EvoMerge.Merging.Methods;

namespace EvoMerge.Search.Sweeps;

/// <summary>
/// The points of a sweep's fixed families: the grid (the product of its axes, first axis outermost), the path toward
/// the base (one point per t: the merge with <c>lambda</c> × t), and the greedy-soup merges (a uniform average of some
/// sources: <c>linear</c> with weight 1 on them and 0 on the others, so one source alone is that source).
/// A required per-model <c>weight</c> the config leaves out is 1.
/// </summary>
public static class SweepPlan
{
    /// <summary>Family of the grid points.</summary>
    public const string GridFamily = "grid";

    /// <summary>Family of the path points.</summary>
    public const string PathFamily = "path";

    /// <summary>Family of a source alone (a greedy-soup ingredient).</summary>
    public const string IngredientFamily = "ingredient";

    /// <summary>Family of a soup of two or more sources.</summary>
    public const string SoupFamily = "soup";

    /// <summary>The grid's points, first axis outermost.</summary>
    public static IReadOnlyList<SweepPoint> Grid(SweepGrid grid, IMergeMethod method, int sources)
    {
        var (first, firstValues) = grid.Axes[0];
        var second = grid.Axes.Count > 1 ? grid.Axes[1] : ((string Parameter, double[] Values)?)null;
        var points = new List<SweepPoint>();
        foreach (double x in firstValues)
        {
            foreach (double y in second?.Values ?? [double.NaN])
            {
                var values = new Dictionary<string, double>(grid.Fixed, StringComparer.Ordinal) { [first] = x };
                string label = $"{grid.Method} {first}={Format(x)}";
                if (second is { } axis)
                {
                    values[axis.Parameter] = y;
                    label += $" {axis.Parameter}={Format(y)}";
                }
                var (perModel, global) = Split(method, values, sources);
                points.Add(new SweepPoint(GridFamily, label, grid.Method, perModel, global, x, y));
            }
        }
        return points;
    }

    /// <summary>The path's points, in the order of its t values.</summary>
    public static IReadOnlyList<SweepPoint> Path(SweepPath path, IMergeMethod method, int sources)
    {
        double scale = path.Parameters.TryGetValue(LambdaParameter, out double given) ? given : 1.0;
        return [.. path.T.Select(t =>
        {
            var values = new Dictionary<string, double>(path.Parameters, StringComparer.Ordinal) { [LambdaParameter] = t * scale };
            var (perModel, global) = Split(method, values, sources);
            return new SweepPoint(PathFamily, $"t={Format(t)}", path.Method, perModel, global, t, double.NaN);
        })];
    }

    /// <summary>The uniform average of <paramref name="members"/> (source indices) of the <paramref name="names"/> sources.</summary>
    public static SweepPoint Soup(IReadOnlyList<int> members, IReadOnlyList<string> names)
    {
        var perModel = names.Select((_, s) => (IReadOnlyDictionary<string, double>)new Dictionary<string, double> { ["weight"] = members.Contains(s) ? 1.0 : 0.0 }).ToArray();
        string family = members.Count == 1 ? IngredientFamily : SoupFamily;
        string label = members.Count == 1 ? names[members[0]] : "soup {" + string.Join(", ", members.Select(m => names[m])) + "}";
        return new SweepPoint(family, label, LinearMerge.MethodName, perModel, new Dictionary<string, double>(), double.NaN, double.NaN);
    }

    /// <summary>The parameter the path scales.</summary>
    public const string LambdaParameter = "lambda";

    /// <summary>A value as labels show it (invariant, up to 4 decimals).</summary>
    public static string Format(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    private static (IReadOnlyDictionary<string, double>[] PerModel, IReadOnlyDictionary<string, double> Global) Split(IMergeMethod method,
        Dictionary<string, double> values, int sources)
    {
        var declared = method.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        if (declared.TryGetValue("weight", out var weight) && weight.Scope == ParameterScope.PerModel && weight.Required) values.TryAdd("weight", 1.0);
        var own = values.Where(v => declared[v.Key].Scope == ParameterScope.PerModel).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        var global = values.Where(v => declared[v.Key].Scope == ParameterScope.Global).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        return ([.. Enumerable.Range(0, sources).Select(_ => (IReadOnlyDictionary<string, double>)own)], global);
    }
}
