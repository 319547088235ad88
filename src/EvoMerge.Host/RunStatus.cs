using System.Text.Json;
using System.Text.Json.Serialization;
using EvoMerge.Search.Configuration;
using EvoMerge.Optimization.Pareto;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;

namespace EvoMerge.Host;

/// <summary>
/// Where a run stands: what <c>/status</c> serves and <c>evomerge status</c> prints. Generation counts completed
/// generations and last_generation names the last of them (see <see cref="GenerationNumbering"/>); evaluations count scored candidates (cache hits excluded, as the budget does); best values are the
/// archive's best feasible value per objective (own direction); item evaluations done and saved are sums over the completed generations' statistics; ETA is the soonest budget limit at the pace so far.
/// </summary>
public sealed record RunStatus
{
    public required string RunId { get; init; }

    public required string RunDirectory { get; init; }

    /// <summary>starting, running, stopping, stopped, finished, crashed (live) or, from files, running / not running.</summary>
    public required string State { get; init; }

    public required bool Alive { get; init; }

    public required string ConfigHash { get; init; }

    public required string Version { get; init; }

    public required int Generation { get; init; }

    /// <summary>The number of the last completed generation (numbered from 0, as in the logs), null before the first completes.</summary>
    public int? LastGeneration => GenerationNumbering.Last(Generation);

    public int? GenerationsBudget { get; init; }

    public required int EvaluationsDone { get; init; }

    public int? EvaluationsBudget { get; init; }

    /// <summary>Item evaluations done (items x tasks) in the completed generations.</summary>
    public long ItemEvaluations { get; init; }

    /// <summary>Item evaluations saved in the completed generations by stopping candidates early (racing or cheap-first scoring).</summary>
    public long ItemEvaluationsSaved { get; init; }

    public required int ArchiveSize { get; init; }

    public required double Hypervolume { get; init; }

    public required IReadOnlyDictionary<string, double?> Best { get; init; }

    public required double ElapsedSeconds { get; init; }

    public double? EtaSeconds { get; init; }

    /// <summary>The post-search phase running or done after the search finished (absent when there is none).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PhaseStatus? Phase { get; init; }

    /// <summary>The evaluation workers of a cluster run (absent for a single-process run).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WorkerStatus>? Workers { get; init; }

    /// <summary>Serializer options: snake_case names, nulls kept.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>Builds a status from counters, the archive and the config's budget.</summary>
    public static RunStatus Create(RunIdentity identity, SearchConfig config, string state, bool alive, int generation, int evaluationsDone,
        double elapsedSeconds, IReadOnlyList<ParetoArchiveEntry<ArchiveMember>> archive, double hypervolume, IReadOnlyList<GenerationStatistics>? statistics = null)
    {
        var objectives = config.Objectives;
        var feasible = archive.Where(e => e.IsFeasible).Select(e => e.Payload.Objectives).ToList();
        var best = new Dictionary<string, double?>(StringComparer.Ordinal);
        for (int j = 0; j < objectives.Count; j++)
        {
            var values = feasible.Select(v => v[j]).Where(double.IsFinite).ToList();
            best[objectives[j].Name] = values.Count == 0 ? null : objectives[j].Maximize ? values.Max() : values.Min();
        }
        return new RunStatus
        {
            RunId = identity.RunId,
            RunDirectory = identity.RunDirectory,
            State = state,
            Alive = alive,
            ConfigHash = identity.ConfigHash,
            Version = identity.Version,
            Generation = generation,
            GenerationsBudget = config.Budget.Generations,
            EvaluationsDone = evaluationsDone,
            EvaluationsBudget = config.Budget.Evaluations,
            ItemEvaluations = statistics?.Sum(s => s.ItemEvaluations) ?? 0,
            ItemEvaluationsSaved = statistics?.Sum(s => s.ItemEvaluationsSaved) ?? 0,
            ArchiveSize = archive.Count,
            Hypervolume = hypervolume,
            Best = best,
            ElapsedSeconds = elapsedSeconds,
            EtaSeconds = Eta(config.Budget, generation, evaluationsDone, elapsedSeconds),
        };
    }

    /// <summary>Seconds until the first budget limit at the pace so far (0 once reached, null while unknown).</summary>
    public static double? Eta(BudgetConfig budget, int generation, int evaluations, double elapsed)
    {
        var estimates = new List<double>();
        if (budget.Generations is { } g && generation > 0) estimates.Add(Math.Max(0, g - generation) * elapsed / generation);
        if (budget.Generations is { } g0 && generation >= g0) estimates.Add(0);
        if (budget.Evaluations is { } e && evaluations > 0) estimates.Add(Math.Max(0, e - evaluations) * elapsed / evaluations);
        if (budget.WallClockSeconds is { } w) estimates.Add(Math.Max(0, w - elapsed));
        return estimates.Count == 0 ? null : estimates.Min();
    }
}
