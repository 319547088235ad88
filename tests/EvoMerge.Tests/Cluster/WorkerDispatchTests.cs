using EvoMerge.Cluster;
using Xunit;

namespace EvoMerge.Tests.Cluster;

/// <summary>
/// The dispatch rule of <see cref="WorkerPool"/>, replayed on a simulated generation: a second queued candidate per
/// worker only while every worker could still get one, so the last candidates go to whichever worker frees up first.
/// </summary>
public sealed class WorkerDispatchTests
{
    private static WorkerDispatch.Slot Slot(string name, int inFlight) => new(name, inFlight);

    [Fact]
    public void Idle_worker_first_then_least_work_then_name()
    {
        Assert.Equal(1, WorkerDispatch.Choose([Slot("a", 1), Slot("b", 0)], queued: 5, maxInFlight: 2));
        Assert.Equal(0, WorkerDispatch.Choose([Slot("a", 0), Slot("b", 0)], queued: 5, maxInFlight: 2));
        Assert.Equal(1, WorkerDispatch.Choose([Slot("c", 1), Slot("b", 1)], queued: 5, maxInFlight: 2));
    }

    [Fact]
    public void Second_slot_only_while_each_worker_could_get_one()
    {
        Assert.Equal(0, WorkerDispatch.Choose([Slot("a", 1), Slot("b", 1)], queued: 2, maxInFlight: 2));
        Assert.Equal(-1, WorkerDispatch.Choose([Slot("a", 1), Slot("b", 1)], queued: 1, maxInFlight: 2));
        Assert.Equal(0, WorkerDispatch.Choose([Slot("a", 1)], queued: 1, maxInFlight: 2));
    }

    [Fact]
    public void Never_beyond_the_in_flight_limit_and_no_worker_means_none()
    {
        Assert.Equal(-1, WorkerDispatch.Choose([Slot("a", 2), Slot("b", 2)], queued: 9, maxInFlight: 2));
        Assert.Equal(-1, WorkerDispatch.Choose([], queued: 3, maxInFlight: 2));
    }

    /// <summary>
    /// Two workers, one fast (1 time unit per candidate) and one slow (3 units), a generation of 4 candidates: the
    /// slow worker must not hold a queued candidate the fast one could have run, so the generation ends at time 3
    /// (fast runs 3, slow runs 1); queuing two per worker up front would end it at 6.
    /// </summary>
    [Fact]
    public void A_generation_ends_when_the_work_is_spread_by_who_frees_up_first()
    {
        double[] speed = [1, 3];
        var queues = new[] { new Queue<double>(), new Queue<double>() };
        double[] freeAt = [0, 0];
        int queued = 4;
        double now = 0, end = 0;
        while (queued > 0 || queues.Any(q => q.Count > 0))
        {
            int pick;
            while (queued > 0 && (pick = WorkerDispatch.Choose([Slot("fast", queues[0].Count), Slot("slow", queues[1].Count)], queued, 2)) >= 0)
            {
                queues[pick].Enqueue(speed[pick]);
                if (queues[pick].Count == 1) freeAt[pick] = now + speed[pick];
                queued--;
            }
            int next = queues[0].Count > 0 && (queues[1].Count == 0 || freeAt[0] <= freeAt[1]) ? 0 : 1;
            now = freeAt[next];
            end = Math.Max(end, now);
            queues[next].Dequeue();
            if (queues[next].Count > 0) freeAt[next] = now + queues[next].Peek();
        }
        Assert.Equal(3, end);
    }
}
