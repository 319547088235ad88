using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// A config over the tiny specialists (<see cref="TinySpecialists"/>: base, a, b and their two tasks) written into a
/// temporary directory, and the CLI interrupted by a signal there: what the resume tests of a search and of a sweep
/// share.
/// </summary>
internal sealed class SpecialistsRun
{
    private SpecialistsRun(TinySpecialists.Layout layout, string config)
    {
        Layout = layout;
        Config = config;
    }

    public TinySpecialists.Layout Layout { get; }

    /// <summary>The config file.</summary>
    public string Config { get; }

    /// <summary>
    /// Writes the specialists under <paramref name="temp"/> and the config <paramref name="name"/> there: base and the
    /// two models, both objectives, then <paramref name="rest"/>.
    /// </summary>
    public static SpecialistsRun Write(TempDirectory temp, string name, string rest)
    {
        var layout = TinySpecialists.Write(temp.Path);
        string config = Path.Combine(layout.Root, name);
        File.WriteAllText(config, "base_model: models/base\nmodels: [models/a, models/b]\n" + layout.ObjectivesYaml() + rest);
        return new SpecialistsRun(layout, config);
    }

    /// <summary>
    /// Starts <c>evomerge args…</c>, waits for each stderr line of <paramref name="lines"/> in turn, calls
    /// <paramref name="before"/> (e.g. to scrape it), sends <paramref name="signal"/> and waits for the exit; returns
    /// the exit code and stderr.
    /// </summary>
    public static (int ExitCode, string Stderr) Interrupt(int signal, string[] lines, Action<ChildProcess>? before, params string[] args)
    {
        using var process = ChildProcess.Start(new Dictionary<string, string>(), args);
        foreach (string line in lines)
            Assert.True(process.WaitForLine(line, TimeSpan.FromMinutes(3)), $"no line '{line}'; stderr:\n{process.Stderr}");
        before?.Invoke(process);
        PosixSignal.Send(process.Id, signal);
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(1)), $"evomerge {args[0]} did not exit after signal {signal}; stderr:\n{process.Stderr}");
        return (process.ExitCode, process.Stderr);
    }
}
