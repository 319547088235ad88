using System.Text.Json;
using EvoMerge.Search.Monitoring;
using Xunit;

namespace EvoMerge.Tests.Search.Monitoring;

/// <summary>A worker's availability is written as the lowercase word <c>/status</c>, logs and metric labels have always used.</summary>
public sealed class WorkerAvailabilityTests
{
    [Theory]
    [InlineData(WorkerAvailability.Joining, "joining")]
    [InlineData(WorkerAvailability.Active, "active")]
    [InlineData(WorkerAvailability.Unusable, "unusable")]
    [InlineData(WorkerAvailability.Lost, "lost")]
    public void EachStateIsOneWordInTextAndJson(WorkerAvailability availability, string word)
    {
        Assert.Equal(word, availability.Text());
        Assert.Equal($"\"{word}\"", JsonSerializer.Serialize(availability));
        Assert.Equal(availability, JsonSerializer.Deserialize<WorkerAvailability>($"\"{word}\""));
    }

    [Fact]
    public void EveryStateHasAWord() =>
        Assert.Equal(["joining", "active", "unusable", "lost"], Enum.GetValues<WorkerAvailability>().Select(a => a.Text()));
}
