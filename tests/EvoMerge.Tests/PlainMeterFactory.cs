using System.Diagnostics.Metrics;

namespace EvoMerge.Tests;

/// <summary>
/// An <see cref="IMeterFactory"/> that creates plain meters and disposes them with itself. Tests listen only to the
/// meters it <see cref="Created"/>: other tests' searches in the same process publish instruments of the same names.
/// </summary>
internal sealed class PlainMeterFactory : IMeterFactory
{
    private readonly List<Meter> _meters = [];

    public Meter Create(MeterOptions options)
    {
        var meter = new Meter(options);
        lock (_meters) _meters.Add(meter);
        return meter;
    }

    /// <summary>Whether <paramref name="meter"/> came from this factory.</summary>
    public bool Created(Meter meter)
    {
        lock (_meters) return _meters.Contains(meter);
    }

    public void Dispose()
    {
        lock (_meters) _meters.ForEach(m => m.Dispose());
    }
}
