using EvoMerge.Cluster;
using EvoMerge.Optimization;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace EvoMerge.Tests.Cluster;

/// <summary>
/// A real <see cref="WorkerPool"/> driven by a fake clock, with scripted worker grains and fixed membership: the
/// ping timeout (two missed pings in a row, each waited for <see cref="ClusterSettings.PingTimeoutSeconds"/>, lose an
/// active worker) and the three-losses rule (a candidate lost <see cref="ClusterSettings.MaxAttempts"/> = 3 times is
/// recorded as failed with every reason, and not sent again).
/// </summary>
public sealed class WorkerPoolTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    private static readonly ClusterSettings Settings = new() { PingIntervalSeconds = 1, PingTimeoutSeconds = 5, MaxAttempts = 3 };

    private sealed class Rig : IDisposable
    {
        public Rig(params string[] names)
        {
            Clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
            Workers = [.. names.Select(n => new ScriptedWorkerGrain(n, Clock))];
            Membership = new FixedClusterMembership(names);
            Pool = new WorkerPool(new ScriptedGrainFactory(Workers), Membership, NullLogger<WorkerPool>.Instance, Settings, Clock) { ObjectiveCount = 2 };
            Pool.Start();
        }

        public FakeTimeProvider Clock { get; }

        public IReadOnlyList<ScriptedWorkerGrain> Workers { get; }

        public FixedClusterMembership Membership { get; }

        public WorkerPool Pool { get; }

        public WorkerStatus Status(string name) => Pool.Workers().Single(w => w.Name == name);

        /// <summary>Moves the fake clock in 100 ms steps (letting the pool's tasks run after each) until <paramref name="condition"/> holds, at most <paramref name="limit"/>.</summary>
        public void AdvanceUntil(Func<bool> condition, TimeSpan limit, string what)
        {
            for (var moved = TimeSpan.Zero; moved <= limit; moved += Step)
            {
                if (Eventually(condition, TimeSpan.FromMilliseconds(200))) return;
                Clock.Advance(Step);
            }
            Assert.Fail($"{what}: not within {limit} of (fake) time");
        }

        /// <summary>Moves the fake clock to <paramref name="at"/>.</summary>
        public void AdvanceTo(DateTimeOffset at)
        {
            Assert.True(at >= Clock.GetUtcNow(), $"the clock is already past {at:O}");
            Clock.Advance(at - Clock.GetUtcNow());
        }

        public void Dispose() => Pool.Dispose();
    }

    /// <summary>Polls <paramref name="condition"/> in real time for up to <paramref name="wait"/>.</summary>
    private static bool Eventually(Func<bool> condition, TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(10);
        }
        return true;
    }

    /// <summary>Stays true for the whole of <paramref name="wait"/> (real time): the pool had time to act and did not.</summary>
    private static bool Stays(Func<bool> condition, TimeSpan wait) => !Eventually(() => !condition(), wait);

    [Fact]
    public void AnActiveWorkerThatStopsAnsweringIsLostWhenItsSecondPingInARowTimesOut()
    {
        using var rig = new Rig("w1");
        var w1 = rig.Workers[0];
        rig.AdvanceUntil(() => rig.Status("w1").State == WorkerAvailability.Active, TimeSpan.FromSeconds(3), "w1 answered its first ping");

        w1.Answering = false;
        int answered = w1.Pings.Count;
        rig.AdvanceUntil(() => w1.Pings.Count > answered, TimeSpan.FromSeconds(2), "a ping one interval later");
        var first = w1.Pings[answered];

        // The first unanswered ping is waited for the full 5 s timeout; when it times out it is one miss, not a loss.
        rig.AdvanceTo(first + TimeSpan.FromSeconds(5) - Step);
        Assert.True(Stays(() => rig.Status("w1").State == WorkerAvailability.Active, TimeSpan.FromMilliseconds(300)), "lost before the ping timed out");
        rig.AdvanceTo(first + TimeSpan.FromSeconds(5));
        Assert.True(Stays(() => rig.Status("w1").State == WorkerAvailability.Active, TimeSpan.FromMilliseconds(300)), "lost at the first missed ping");

        // The next ping goes out one interval after the timeout, and is waited for 5 s as well.
        rig.AdvanceUntil(() => w1.Pings.Count > answered + 1, TimeSpan.FromSeconds(2), "a ping one interval after the timeout");
        var second = w1.Pings[answered + 1];
        Assert.True(second - first >= TimeSpan.FromSeconds(6), $"the second ping went out {(second - first).TotalSeconds} s after the first");
        rig.AdvanceTo(second + TimeSpan.FromSeconds(5) - Step);
        Assert.True(Stays(() => rig.Status("w1").State == WorkerAvailability.Active, TimeSpan.FromMilliseconds(300)), "lost before the second ping timed out");
        rig.AdvanceTo(second + TimeSpan.FromSeconds(5));
        Assert.True(Eventually(() => rig.Status("w1").State == WorkerAvailability.Lost, TimeSpan.FromSeconds(5)), "not lost when the second ping in a row timed out");

        Assert.Equal("stopped answering (timed out)", rig.Status("w1").LastFailure);
        Assert.True(Eventually(() => rig.Membership.Killed.Count == 1, TimeSpan.FromSeconds(5)), "the lost worker was not reported dead to the membership");
        Assert.Equal(rig.Membership.Silos["w1"], rig.Membership.Killed.Single());
        int pings = w1.Pings.Count;
        rig.Clock.Advance(TimeSpan.FromSeconds(10));
        Assert.True(Stays(() => w1.Pings.Count == pings, TimeSpan.FromMilliseconds(300)), "a lost worker is still pinged");
    }

    [Fact]
    public async Task ACandidateLostThreeTimesIsRecordedAsFailedWithEveryReasonAndNotSentAgain()
    {
        using var rig = new Rig("w1", "w2", "w3", "w4");
        rig.AdvanceUntil(() => rig.Pool.Workers().All(w => w.State == WorkerAvailability.Active), TimeSpan.FromSeconds(3), "all four workers answered a ping");
        var session = new WorkSession
        {
            Id = "runs/three#1", ConfigText = "", ConfigFile = "search.yml", ConfigDirectory = ".", Seed = 1, OptimizerSeed = 1, ScreeningSeed = 2, MergeSeed = 1,
        };
        string hash = new('a', 64);
        var job = new EvaluationJob(0, 0, new Genome([0.5], [0]), new CandidateRecipe("space", null, hash, 1, 2, null), null, []);
        var evaluation = rig.Pool.Submit(session, [job]).Single();

        var reasons = new List<string>();
        for (int attempt = 1; attempt <= 3; attempt++)
        {
            ScriptedWorkerGrain? holder = null;
            Assert.True(Eventually(() => (holder = rig.Workers.SingleOrDefault(w => w.Started.Any(s => s.Attempt == attempt))) is not null, TimeSpan.FromSeconds(5)),
                $"attempt {attempt} was not sent to a worker");
            Assert.Equal(attempt, rig.Workers.Sum(w => w.Started.Count));
            Assert.Equal(hash, holder!.Started.Single().Hash);
            Assert.False(evaluation.IsCompleted, $"recorded after {attempt - 1} loss(es)");
            await rig.Pool.Report(new CandidateResult
            {
                SessionId = session.Id, Generation = 0, Index = 0, Attempt = attempt, Worker = holder.Name, Error = $"error {attempt}",
            });
            reasons.Add($"worker {holder.Name} could not evaluate: error {attempt}");
            Assert.Equal(WorkerAvailability.Unusable, rig.Status(holder.Name).State);
        }

        Assert.True(evaluation.IsCompleted, "not recorded after the third loss");
        var failed = await evaluation;
        Assert.Equal(EvaluationStatus.Failed, failed.Status);
        Assert.Equal(hash, failed.Hash);
        Assert.Equal($"evaluation lost 3 times: {string.Join("; ", reasons)}", failed.Reason);
        Assert.Equal(2, failed.Objectives.Length);
        Assert.True(Stays(() => rig.Workers.Sum(w => w.Started.Count) == 3, TimeSpan.FromMilliseconds(300)), "sent a fourth time");
        Assert.Equal(WorkerAvailability.Active, Assert.Single(rig.Pool.Workers(), w => w.State == WorkerAvailability.Active).State);
    }
}
