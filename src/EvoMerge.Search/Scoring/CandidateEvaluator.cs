using System.Diagnostics;
using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Search.Configuration;
using EvoMerge.Optimization;

namespace EvoMerge.Search.Scoring;

/// <summary>
/// Scores a candidate model on the config's objective and constraint tasks. With cheap-first scoring (and a front to
/// compare with, and objectives that are item means) each objective task is first scored on a random subset drawn
/// from the run's generator; if <see cref="PairedDominanceTest"/> shows a front member dominates the candidate on
/// those items, scoring stops (status <see cref="EvaluationStatus.Screened"/>, objectives = subset means). With racing
/// (<see cref="RacingConfig"/>) each objective task's items are scored in the candidate's drawn order in rounds, and
/// after every round but the last <see cref="RacingDominanceTest"/> on the items so far may stop it the same way.
/// Otherwise every remaining item and the constraint tasks are scored. A NaN or infinite objective or constraint
/// score makes the evaluation failed (infeasible), with the reason naming it.
/// </summary>
public sealed class CandidateEvaluator
{
    private readonly SearchConfig _config;
    private readonly Dictionary<string, ITaskScorer> _tasks;

    /// <param name="config">The search config.</param>
    /// <param name="tasks">A scorer for every task file of the config (<see cref="SearchConfig.TaskFiles"/>), by full path.</param>
    public CandidateEvaluator(SearchConfig config, IReadOnlyDictionary<string, ITaskScorer> tasks)
    {
        _config = config;
        _tasks = new Dictionary<string, ITaskScorer>(tasks, StringComparer.Ordinal);
        foreach (string file in config.TaskFiles)
            if (!_tasks.ContainsKey(file)) throw new ArgumentException($"no scorer for task file {file}");
    }

    /// <summary>The task scorer of a task file.</summary>
    public ITaskScorer Task(string file) => _tasks[file];

    /// <summary>
    /// Scores <paramref name="model"/>. <paramref name="front"/> holds the per-item results of the current front's
    /// feasible members (for screening or racing); <paramref name="random"/> draws cheap-first subsets or racing orders.
    /// </summary>
    public CandidateEvaluation Evaluate(string hash, DecoderModel model, SearchRandom random,
        IReadOnlyList<ItemScores> front) =>
        Evaluate(hash, model, DrawSubsets(random, front.Count), front);

    /// <summary>
    /// The cheap-first subsets of one candidate (item indices per objective task name, ascending), or with racing its
    /// item order (every item index of each objective task, shuffled), drawn from <paramref name="random"/> in
    /// objective-task order; null when this candidate is not screened (cheap-first and racing off, an empty front, or
    /// an objective that is not an item mean), in which case nothing is drawn. Drawing every candidate's
    /// subsets in candidate order before any is scored consumes the generator exactly as scoring them in turn does.
    /// </summary>
    public IReadOnlyDictionary<string, int[]>? DrawSubsets(SearchRandom random, int frontCount)
    {
        var cheap = _config.CheapFirst;
        bool racing = _config.Racing.Enabled;
        if (!(cheap.Enabled || racing) || frontCount == 0 || !_config.Objectives.All(o => _tasks[o.Task].IsItemMean(o.Metric))) return null;
        var subsets = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var task in _config.Objectives.Select(o => _tasks[o.Task]).Distinct())
        {
            int n = task.ItemCount;
            if (racing)
            {
                var items = Enumerable.Range(0, n).ToArray();
                random.Shuffle(items);
                subsets[task.Name] = items;
                continue;
            }
            int k = Math.Max(2, (int)Math.Ceiling(cheap.Fraction * n));
            if (k >= n) continue;
            var order = Enumerable.Range(0, n).ToList();
            random.Shuffle(order);
            subsets[task.Name] = [.. order.Take(k).Order()];
        }
        return subsets;
    }

    /// <summary>
    /// Scores <paramref name="model"/> with subsets drawn beforehand by <see cref="DrawSubsets"/> (null: score every
    /// item). <paramref name="front"/> holds the per-item results of the current front's feasible members.
    /// </summary>
    public CandidateEvaluation Evaluate(string hash, DecoderModel model, IReadOnlyDictionary<string, int[]>? drawn,
        IReadOnlyList<ItemScores> front)
    {
        var clock = Stopwatch.StartNew();
        var scores = new Dictionary<string, Dictionary<string, double[]>>(StringComparer.Ordinal);
        var scored = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        int itemsEvaluated = 0;
        long tokensScored = 0;

        void Score(ITaskScorer task, IReadOnlyList<int> items)
        {
            if (items.Count == 0) return;
            if (!scores.TryGetValue(task.Name, out var metrics))
            {
                metrics = task.Metrics.ToDictionary(m => m, _ => Enumerable.Repeat(double.NaN, task.ItemCount).ToArray(), StringComparer.Ordinal);
                scores[task.Name] = metrics;
                scored[task.Name] = new bool[task.ItemCount];
            }
            var values = task.ScoreItems(model, items);
            foreach (var (metric, perItem) in values)
            {
                if (!metrics.TryGetValue(metric, out var all)) continue;
                for (int i = 0; i < items.Count; i++) all[items[i]] = perItem[i];
            }
            foreach (int item in items) scored[task.Name][item] = true;
            itemsEvaluated += items.Count;
            tokensScored += task.TokensOf(items);
        }

        var objectiveTasks = _config.Objectives.Select(o => _tasks[o.Task]).Distinct().ToList();
        var cheap = _config.CheapFirst;
        if (_config.Racing.Enabled && drawn is not null && front.Count > 0 && drawn.Count == objectiveTasks.Count)
        {
            var racing = _config.Racing;
            var sofar = new Dictionary<string, int[]>(StringComparer.Ordinal);
            for (int round = 1; round < racing.Rounds; round++)
            {
                foreach (var task in objectiveTasks)
                {
                    var order = drawn[task.Name];
                    int before = RoundEnd(order.Length, round - 1, racing.Rounds), end = RoundEnd(order.Length, round, racing.Rounds);
                    Score(task, order[before..end]);
                    sofar[task.Name] = order[..end];
                }
                if (Dominated(front, sofar, scores, paired => RacingDominanceTest.MemberDominates(paired, racing.Confidence, racing.Margin)) is { } member)
                {
                    return Stopped(hash, sofar, scores, itemsEvaluated, tokensScored, clock.Elapsed.TotalSeconds,
                        $"dominated by archive member {member} after round {round} of {racing.Rounds} ({itemsEvaluated} items; paired test, confidence {racing.Confidence}, margin {racing.Margin})");
                }
            }
        }
        else if (!_config.Racing.Enabled && drawn is not null && front.Count > 0)
        {
            var subsets = new Dictionary<string, int[]>(StringComparer.Ordinal);
            foreach (var task in objectiveTasks)
            {
                if (!drawn.TryGetValue(task.Name, out var subset)) continue;
                subsets[task.Name] = subset;
                Score(task, subset);
            }
            if (subsets.Count == objectiveTasks.Count
                && Dominated(front, subsets, scores, paired => PairedDominanceTest.MemberDominates(paired, cheap.Confidence)) is { } member)
            {
                return Stopped(hash, subsets, scores, itemsEvaluated, tokensScored, clock.Elapsed.TotalSeconds,
                    $"dominated by front member {member} on a {cheap.Fraction:P0} subset (paired test, confidence {cheap.Confidence})");
            }
        }

        foreach (string file in _config.TaskFiles)
        {
            var task = _tasks[file];
            var done = scored.GetValueOrDefault(task.Name);
            Score(task, Enumerable.Range(0, task.ItemCount).Where(i => done is null || !done[i]).ToArray());
        }
        double Value(string file, string metric)
        {
            var task = _tasks[file];
            return scores[task.Name].TryGetValue(metric, out var values)
                ? task.Aggregate(metric, values)
                : throw new InvalidDataException($"{file}: task '{task.Name}' has no metric '{metric}' (metrics: {string.Join(", ", task.Metrics)})");
        }
        var objectives = _config.Objectives.Select(o => Value(o.Task, o.Metric)).ToArray();
        var constraints = _config.Constraints.Select(c => Value(c.Task, c.Metric)).ToArray();
        var evaluation = new CandidateEvaluation
        {
            Hash = hash,
            Status = EvaluationStatus.Scored,
            Objectives = objectives,
            Constraints = constraints,
            ConstraintViolation = _config.Constraints.Select((c, i) => Math.Max(0.0, c.Minimum - constraints[i])).Sum(),
            ItemScores = Freeze(scores),
            ItemsEvaluated = itemsEvaluated,
            TokensScored = tokensScored,
            ScoreSeconds = clock.Elapsed.TotalSeconds,
        };
        int nan = Array.FindIndex(objectives, v => !double.IsFinite(v));
        if (nan >= 0) return evaluation with { Status = EvaluationStatus.Failed, Reason = $"objective '{_config.Objectives[nan].Name}' is {NonFinite(objectives[nan])}", ConstraintViolation = double.PositiveInfinity };
        int nanConstraint = Array.FindIndex(constraints, v => !double.IsFinite(v));
        if (nanConstraint >= 0) return evaluation with { Status = EvaluationStatus.Failed, Reason = $"constraint {_config.Constraints[nanConstraint].ConfigPath} score is {NonFinite(constraints[nanConstraint])}", ConstraintViolation = double.PositiveInfinity };
        var failures = _config.Constraints.Select((c, i) => c.Failure(constraints[i])).OfType<string>().ToArray();
        return failures.Length == 0 ? evaluation : evaluation with { Reason = string.Join("; ", failures) };
    }

    private static string NonFinite(double value) => double.IsNaN(value) ? "NaN" : "infinite";

    /// <summary>Where round <paramref name="round"/> (from 1; 0: the start) of <paramref name="rounds"/> ends in an item order of <paramref name="count"/> items.</summary>
    public static int RoundEnd(int count, int round, int rounds) => (int)((long)count * round / rounds);

    /// <summary>
    /// A candidate stopped early (status <see cref="EvaluationStatus.Screened"/>): objectives are the estimates on the
    /// items scored, constraints unknown, and every item not scored counts as saved. It never enters the archive.
    /// </summary>
    private CandidateEvaluation Stopped(string hash, Dictionary<string, int[]> subsets, Dictionary<string, Dictionary<string, double[]>> scores,
        int itemsEvaluated, long tokensScored, double seconds, string reason)
    {
        int total = _config.TaskFiles.Sum(f => _tasks[f].ItemCount);
        var estimates = _config.Objectives.Select(o =>
        {
            var task = _tasks[o.Task];
            var subset = subsets[task.Name];
            return task.Aggregate(o.Metric, subset.Select(i => scores[task.Name][o.Metric][i]).ToArray());
        }).ToArray();
        return new CandidateEvaluation
        {
            Hash = hash,
            Status = EvaluationStatus.Screened,
            Reason = reason,
            Objectives = estimates,
            Constraints = Enumerable.Repeat(double.NaN, _config.Constraints.Count).ToArray(),
            ConstraintViolation = 0.0,
            ItemScores = Freeze(scores),
            ItemsEvaluated = itemsEvaluated,
            ItemsSaved = total - itemsEvaluated,
            TokensScored = tokensScored,
            ScoreSeconds = seconds,
        };
    }

    /// <summary>Index of the first front member that <paramref name="dominates"/> the candidate on the subsets' items, or null.</summary>
    private int? Dominated(IReadOnlyList<ItemScores> front, Dictionary<string, int[]> subsets, Dictionary<string, Dictionary<string, double[]>> scores,
        Func<IReadOnlyList<PairedDominanceTest.PairedObjective>, bool> dominates)
    {
        for (int m = 0; m < front.Count; m++)
        {
            var paired = new List<PairedDominanceTest.PairedObjective>();
            foreach (var objective in _config.Objectives)
            {
                var task = _tasks[objective.Task];
                if (!front[m].TryGetValue(task.Name, out var memberMetrics) || !memberMetrics.TryGetValue(objective.Metric, out var memberValues)) break;
                var subset = subsets[task.Name];
                paired.Add(new(subset.Select(i => memberValues[i]).ToArray(), subset.Select(i => scores[task.Name][objective.Metric][i]).ToArray(), objective.Maximize));
            }
            if (paired.Count == _config.Objectives.Count && dominates(paired)) return m;
        }
        return null;
    }

    private static ItemScores Freeze(Dictionary<string, Dictionary<string, double[]>> scores) =>
        new(scores.Select(t => KeyValuePair.Create(t.Key, (IReadOnlyDictionary<string, double[]>)t.Value)));
}
