using System.Diagnostics;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// Runs the built CLI on a real 80×24 pseudo-terminal (util-linux <c>script</c>), as a user at a terminal would: the
/// child's stdout and stderr are the terminal, so everything it shows comes back as one transcript.
/// </summary>
public static class PseudoTerminal
{
    /// <summary>
    /// Runs <c>evomerge ARGUMENTS</c> (each argument single-quoted for the shell) under a terminal of 80 columns and 24
    /// rows; fails when it does not finish within <paramref name="timeout"/>. The result's stdout is the transcript.
    /// </summary>
    public static async Task<CliRunner.Result> Run(TimeSpan timeout, params string[] arguments)
    {
        if (!File.Exists("/usr/bin/script")) throw new InvalidOperationException("util-linux script is needed to give the child a terminal");
        string command = $"stty rows 24 cols 80; dotnet '{CliRunner.CliPath}' {string.Join(' ', arguments.Select(a => $"'{a}'"))}";
        var info = new ProcessStartInfo("/usr/bin/script") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string a in new[] { "-qefc", command, "/dev/null" }) info.ArgumentList.Add(a);
        info.Environment["TERM"] = "xterm-256color";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"evomerge {string.Join(' ', arguments)} under a terminal did not finish within {timeout.TotalSeconds:0} s");
        }
        return new CliRunner.Result(process.ExitCode, await stdout, await stderr);
    }
}
