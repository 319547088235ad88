using EvoMerge.Cluster;
using EvoMerge.Search.Monitoring;
using Xunit;

namespace EvoMerge.Tests.Cluster;

/// <summary>A worker's availability rules, driven by a clock the test moves: the pool's ping loop calls the same methods.</summary>
public sealed class WorkerLivenessTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AJoiningWorkerThatNeverAnswersIsLostOnceMoreThanSixtySecondsPassed()
    {
        var clock = new ManualClock(Start);
        var worker = new WorkerLiveness(clock);
        Assert.Equal(WorkerAvailability.Joining, worker.Availability);
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.False(worker.Missed());
        clock.Advance(TimeSpan.FromSeconds(55)); // exactly 60 s after joining: not more than 60 yet
        Assert.False(worker.Missed());
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(worker.Missed());
    }

    [Fact]
    public void AJoiningWorkerBecomesActiveAtItsFirstAnswer()
    {
        var worker = new WorkerLiveness(new ManualClock(Start));
        Assert.True(worker.Answered());
        Assert.Equal(WorkerAvailability.Active, worker.Availability);
        Assert.True(worker.InService);
        Assert.False(worker.Answered());
    }

    [Fact]
    public void AnActiveWorkerIsLostAtTheSecondMissedPingInARowHoweverLittleTimePassed()
    {
        var clock = new ManualClock(Start);
        var worker = new WorkerLiveness(clock);
        worker.Answered();
        clock.Advance(TimeSpan.FromHours(1)); // the joining grace does not apply to an active worker
        Assert.False(worker.Missed());
        Assert.True(worker.Answered() is false && worker.Availability == WorkerAvailability.Active);
        Assert.False(worker.Missed()); // the answer in between reset the count
        Assert.True(worker.Missed());
    }

    [Fact]
    public void MissedPingsWhileJoiningDoNotCountOnceActive()
    {
        var clock = new ManualClock(Start);
        var worker = new WorkerLiveness(clock);
        for (int k = 0; k < 3; k++)
        {
            clock.Advance(TimeSpan.FromSeconds(10));
            Assert.False(worker.Missed());
        }
        worker.Answered();
        Assert.False(worker.Missed());
    }

    [Fact]
    public void OutOfServiceIsFinal()
    {
        var worker = new WorkerLiveness(new ManualClock(Start));
        worker.Answered();
        Assert.True(worker.TakeOut(WorkerAvailability.Unusable));
        Assert.Equal(WorkerAvailability.Unusable, worker.Availability);
        Assert.False(worker.InService);
        Assert.False(worker.TakeOut(WorkerAvailability.Lost));
        Assert.False(worker.Answered());
        Assert.Equal(WorkerAvailability.Unusable, worker.Availability);
    }

    [Fact]
    public void AJoiningWorkerCanBeLost()
    {
        var worker = new WorkerLiveness(new ManualClock(Start));
        Assert.True(worker.TakeOut(WorkerAvailability.Lost));
        Assert.Equal(WorkerAvailability.Lost, worker.Availability);
    }

    [Theory]
    [InlineData(WorkerAvailability.Joining)]
    [InlineData(WorkerAvailability.Active)]
    public void AWorkerIsTakenOutOnlyAsLostOrUnusable(WorkerAvailability availability) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new WorkerLiveness(new ManualClock(Start)).TakeOut(availability));
}
