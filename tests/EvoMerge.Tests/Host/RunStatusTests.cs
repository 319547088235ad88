using System.Text.Json;
using EvoMerge.Host;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Monitoring;
using Xunit;

namespace EvoMerge.Tests.Host;

/// <summary>What <c>/status</c> says: the ETA at the pace so far (worked by hand) and the JSON text of its workers.</summary>
public sealed class RunStatusTests
{
    [Fact]
    public void TheEtaOfAGenerationBudgetIsTheRemainingGenerationsAtTheAveragePace() =>
        Assert.Equal(120, RunStatus.Eta(new BudgetConfig(10, null, null), generation: 2, evaluations: 16, elapsed: 30)); // 8 generations × 15 s

    [Fact]
    public void TheSoonestBudgetLimitWins()
    {
        // generations: 8 left × 30 s = 240; evaluations: 60 left × 1.5 s = 90; wall clock: 500 − 60 = 440.
        Assert.Equal(90, RunStatus.Eta(new BudgetConfig(10, 100, 500), generation: 2, evaluations: 40, elapsed: 60));
        Assert.Equal(40, RunStatus.Eta(new BudgetConfig(10, 100, 100), generation: 2, evaluations: 40, elapsed: 60));
    }

    [Fact]
    public void AReachedBudgetHasNoTimeLeft()
    {
        Assert.Equal(0, RunStatus.Eta(new BudgetConfig(5, null, null), generation: 5, evaluations: 40, elapsed: 60));
        Assert.Equal(0, RunStatus.Eta(new BudgetConfig(null, 10, null), generation: 1, evaluations: 12, elapsed: 60));
        Assert.Equal(0, RunStatus.Eta(new BudgetConfig(null, null, 30), generation: 1, evaluations: 12, elapsed: 45));
    }

    [Fact]
    public void BeforeTheFirstGenerationOrEvaluationThePaceIsUnknown()
    {
        Assert.Null(RunStatus.Eta(new BudgetConfig(10, null, null), generation: 0, evaluations: 0, elapsed: 12));
        Assert.Null(RunStatus.Eta(new BudgetConfig(null, 100, null), generation: 0, evaluations: 0, elapsed: 12));
        Assert.Equal(288, RunStatus.Eta(new BudgetConfig(10, 100, 300), generation: 0, evaluations: 0, elapsed: 12)); // only the wall clock is known
    }

    [Fact]
    public void WorkersAreWrittenWithSnakeCaseNamesAndTheirStateAsAWord()
    {
        var status = new RunStatus
        {
            RunId = "r1",
            RunDirectory = "/runs/r1",
            State = "running",
            Alive = true,
            ConfigHash = "0123456789abcdef",
            Version = "0.1.0",
            Generation = 3,
            EvaluationsDone = 12,
            ArchiveSize = 2,
            Hypervolume = 0.5,
            Best = new Dictionary<string, double?> { ["a"] = 0.75 },
            ElapsedSeconds = 9,
            Workers =
            [
                new WorkerStatus { Name = "w1", Address = "S127.0.0.1:1:1", State = WorkerAvailability.Active, InFlight = 1, Evaluations = 4, BusySeconds = 2.5, Failures = 0 },
                new WorkerStatus { Name = "w2", Address = "S127.0.0.1:2:1", State = WorkerAvailability.Unusable, InFlight = 0, Evaluations = 0, BusySeconds = 0, Failures = 1, LastFailure = "could not evaluate: x" },
            ],
        };
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(status, RunStatus.Json));
        var workers = json.RootElement.GetProperty("workers");
        Assert.Equal("active", workers[0].GetProperty("state").GetString());
        Assert.Equal(2.5, workers[0].GetProperty("busy_seconds").GetDouble());
        Assert.Equal(1, workers[0].GetProperty("in_flight").GetInt32());
        Assert.Equal(JsonValueKind.Null, workers[0].GetProperty("last_failure").ValueKind);
        Assert.Equal("unusable", workers[1].GetProperty("state").GetString());
        Assert.Equal("could not evaluate: x", workers[1].GetProperty("last_failure").GetString());
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("eta_seconds").ValueKind);
        Assert.False(JsonDocument.Parse(JsonSerializer.Serialize(status with { Workers = null }, RunStatus.Json)).RootElement.TryGetProperty("workers", out _));
    }
}
