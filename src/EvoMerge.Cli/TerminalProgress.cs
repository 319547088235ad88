using EvoMerge.Host;
using Spectre.Console;

namespace EvoMerge.Cli;

/// <summary>A live Spectre.Console display on a terminal of a search (<see cref="LiveDisplayRows"/>) or a sweep (<see cref="SweepDisplayRows"/>); fits 80 columns.</summary>
public sealed class TerminalProgress(IAnsiConsole? console = null) : ILiveProgressDisplay, ILiveSweepDisplay
{
    /// <summary>True when neither stdout nor stderr is redirected.</summary>
    public bool HasTerminal => OnTerminal;

    /// <summary>True when neither stdout nor stderr is redirected (what every command's live display needs).</summary>
    public static bool OnTerminal => !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    public Task ShowAsync(RunProgress progress, CancellationToken stopping) =>
        TerminalRows.ShowAsync(console ?? AnsiConsole.Console, 2, width => LiveDisplayRows.Of(progress.Snapshot(), progress.Activity, width), stopping);

    public Task ShowAsync(Func<SweepStatus?> read, CancellationToken stopping) =>
        TerminalRows.ShowAsync(console ?? AnsiConsole.Console, 1, width => SweepDisplayRows.Of(read(), width), stopping);
}
