using System.Diagnostics.Metrics;
using EvoMerge.Host;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Monitoring;
using EvoMerge.Search.Runs;
using EvoMerge.Tests.Search;
using Xunit;

namespace EvoMerge.Tests.Host;

/// <summary>The generation gauges: evomerge_last_generation names the generation the logs name, evomerge_generation counts them.</summary>
public sealed class GenerationMetricTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    [Fact]
    public void TheLastGenerationGaugeNamesTheLoggedGenerationAndIsAbsentBeforeTheFirst()
    {
        var config = SearchConfigReader.ReadFile(fixture.Config("metric-generation", "  methods: [task_arithmetic]\n  layer_groups: 1", population: 4, generations: 2));
        var progress = new RunProgress();
        using var meters = new PlainMeterFactory();
        _ = new SearchMetrics(meters, progress);
        using var run = SearchRun.Start(config, progress);
        progress.Attach(run, RunIdentity.Of(run.Setup.Config.RunDirectory, run.Setup.Config.Text));

        var before = Observe(meters);
        Assert.False(before.ContainsKey("evomerge.last_generation"), "no generation has completed");
        Assert.Equal(0, before["evomerge.generation"]);
        run.Run();
        // Two generations ran, 0 and 1: the logs end with "generation 1 done", /status says last_generation 1, generation 2.
        var after = Observe(meters);
        Assert.Equal(1, after["evomerge.last_generation"]);
        Assert.Equal(2, after["evomerge.generation"]);
    }

    /// <summary>
    /// The current value of each long gauge of the EvoMerge meter that <paramref name="meters"/> created (other tests'
    /// searches in this process publish gauges of the same names).
    /// </summary>
    private static Dictionary<string, long> Observe(PlainMeterFactory meters)
    {
        var values = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (meters.Created(instrument.Meter) && instrument.Meter.Name == SearchMeter.Name) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => values[instrument.Name] = value);
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}
