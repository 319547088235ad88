using EvoMerge.Host;
using Spectre.Console;

namespace EvoMerge.Cli;

/// <summary>A live Spectre.Console display on a terminal: the current generation's candidates, the whole budget with ETA, then the best values, hypervolume and archive size (see <see cref="LiveDisplayRows"/>; fits 80 columns).</summary>
public sealed class TerminalProgress(IAnsiConsole? console = null) : ILiveProgressDisplay
{
    /// <summary>True when neither stdout nor stderr is redirected.</summary>
    public bool HasTerminal => OnTerminal;

    /// <summary>True when neither stdout nor stderr is redirected (what every command's live display needs).</summary>
    public static bool OnTerminal => !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    public Task ShowAsync(RunProgress progress, CancellationToken stopping) =>
        TerminalRows.ShowAsync(console ?? AnsiConsole.Console, 2, width => LiveDisplayRows.Of(progress.Snapshot(), progress.Activity, width), stopping);
}
