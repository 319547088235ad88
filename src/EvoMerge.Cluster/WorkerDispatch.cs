namespace EvoMerge.Cluster;

/// <summary>
/// Which active worker the next queued candidate goes to. A worker with nothing in flight comes first (least work,
/// then name). A second candidate queued behind a running one hides the round trip, but near the end of a generation
/// it can leave another worker idle while it waits; so a worker gets more than one only while at least one queued
/// candidate per active worker remains (counting this one), and never more than the in-flight limit.
/// </summary>
public static class WorkerDispatch
{
    /// <summary>One active worker: its name and candidates sent and not answered yet.</summary>
    public readonly record struct Slot(string Name, int InFlight);

    /// <summary>
    /// The index in <paramref name="active"/> of the worker to send the next of <paramref name="queued"/> candidates
    /// to, or -1 when none should take it now.
    /// </summary>
    public static int Choose(IReadOnlyList<Slot> active, int queued, int maxInFlight)
    {
        int best = -1;
        for (int i = 0; i < active.Count; i++)
        {
            var slot = active[i];
            if (slot.InFlight >= maxInFlight) continue;
            if (slot.InFlight > 0 && queued < active.Count) continue;
            if (best < 0 || slot.InFlight < active[best].InFlight
                || (slot.InFlight == active[best].InFlight && string.CompareOrdinal(slot.Name, active[best].Name) < 0))
                best = i;
        }
        return best;
    }
}
