namespace EvoMerge.Tests;

/// <summary>A <see cref="TimeProvider"/> whose time moves only when a test advances it (timers are not driven).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    /// <summary>Moves the time forward by <paramref name="by"/>.</summary>
    public void Advance(TimeSpan by) => _now += by;
}
