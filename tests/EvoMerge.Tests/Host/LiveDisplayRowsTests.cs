using EvoMerge.Host;
using Xunit;

namespace EvoMerge.Tests.Host;

/// <summary>The live display's rows fit the width they are given; its summary holds every objective's best value.</summary>
public sealed class LiveDisplayRowsTests
{
    private static RunStatus Status(int? evaluationsBudget) => new()
    {
        RunId = "r", RunDirectory = "/tmp/r", State = "running", Alive = true, ConfigHash = "h", Version = "v",
        Generation = 3, GenerationsBudget = 10, EvaluationsDone = 24, EvaluationsBudget = evaluationsBudget, ArchiveSize = 5, Hypervolume = 0.123456,
        ElapsedSeconds = 10, Best = new Dictionary<string, double?> { ["a"] = 0.5123456, ["b"] = null },
    };

    [Fact]
    public void RowsAreCutToTheirWidthAndTheSummaryNamesEveryObjective()
    {
        var (bars, summary) = LiveDisplayRows.Of(Status(80), ("candidate 2/8 of generation 3", 2, 8), 20);
        Assert.Equal([("candidate 2/8 of ge…", 2.0, 8.0), ("evaluations 24/80", 24.0, 80.0)], bars);
        Assert.Equal("running: best a=0.5123 b=- hv=0.1235 archive=5", summary);
    }

    [Fact]
    public void WithoutAnEvaluationBudgetTheSecondRowCountsGenerations()
    {
        var (bars, _) = LiveDisplayRows.Of(Status(null), ("generation 2 done", 0, 0), 44);
        Assert.Equal([("generation 2 done", 0.0, 1.0), ("generations 3/10", 3.0, 10.0)], bars);
    }

    [Fact]
    public void BeforeTheRunIsAttachedThereIsNothingToShow() => Assert.Empty(LiveDisplayRows.Of(null, ("starting", 0, 0), 44).Bars);
}
