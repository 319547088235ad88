using System.Diagnostics;
using System.Text.Json;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// deploy/install-monitoring-units.sh run for real (with --no-start, into a temporary state and unit directory): it
/// refuses without Grafana, writes units systemd accepts, provisions the repository's dashboard, and is idempotent.
/// </summary>
public sealed class MonitoringUnitsTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("evomerge-units-").FullName;

    [Fact]
    public void WithoutGrafanaItRefusesAndWritesNothing()
    {
        var (code, _, stderr) = Install(withGrafana: false);
        Assert.Equal(2, code);
        Assert.Contains("not found: grafana-server", stderr);
        Assert.Contains("nothing installed", stderr);
        Assert.False(Directory.Exists(Path.Combine(_root, "units")));
        Assert.False(Directory.Exists(Path.Combine(_root, "state")));
    }

    [Fact]
    public void ItWritesUnitsAndProvisioningThatPointAtTheRepositoryAndASecondRunChangesNothing()
    {
        var (code, stdout, stderr) = Install(withGrafana: true);
        Assert.True(code == 0, stdout + stderr);
        string units = Path.Combine(_root, "units"), state = Path.Combine(_root, "state");
        string deploy = Path.Combine(CliRunner.RepositoryRoot, "deploy");
        string prometheusUnit = File.ReadAllText(Path.Combine(units, "evomerge-prometheus.service"));
        string grafanaUnit = File.ReadAllText(Path.Combine(units, "evomerge-grafana.service"));
        Assert.DoesNotContain("@", prometheusUnit + grafanaUnit);
        Assert.Contains($"--config.file={deploy}/prometheus/prometheus.yml", prometheusUnit);
        Assert.Contains($"--config={state}/grafana/grafana.ini", grafanaUnit);
        Assert.Contains($"provisioning = {state}/grafana/provisioning", File.ReadAllText(Path.Combine(state, "grafana", "grafana.ini")));

        // The dashboard provider points at the repository's dashboards, whose datasource is the provisioned one.
        string provider = File.ReadAllLines(Path.Combine(state, "grafana", "provisioning", "dashboards", "evomerge.yml"))
            .Single(l => l.TrimStart().StartsWith("path:", StringComparison.Ordinal)).Split("path:")[1].Trim();
        Assert.Equal(Path.Combine(deploy, "grafana", "dashboards"), provider);
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(provider, "evomerge.json")));
        string datasources = File.ReadAllText(Path.Combine(state, "grafana", "provisioning", "datasources", "evomerge-prometheus.yml"));
        string uid = dashboard.RootElement.GetProperty("panels")[0].GetProperty("datasource").GetProperty("uid").GetString()!;
        Assert.Contains($"uid: {uid}", datasources);

        if (File.Exists("/usr/bin/systemd-analyze"))
        {
            var (verify, vout, verr) = Run("systemd-analyze", ["verify", Path.Combine(units, "evomerge-prometheus.service"), Path.Combine(units, "evomerge-grafana.service")], []);
            Assert.True(verify == 0, vout + verr);
        }

        var before = Directory.GetFiles(_root, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
        var (again, secondOut, _) = Install(withGrafana: true);
        Assert.Equal(0, again);
        Assert.DoesNotContain("wrote ", secondOut);
        Assert.Equal(5, secondOut.Split('\n').Count(l => l.StartsWith("unchanged ", StringComparison.Ordinal)));
        var after = Directory.GetFiles(_root, "*", SearchOption.AllDirectories).ToDictionary(f => f, File.ReadAllBytes);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        Assert.All(before, f => Assert.Equal(f.Value, after[f.Key]));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Runs the script with --no-start; Prometheus is a stub, and Grafana one too when <paramref name="withGrafana"/>.</summary>
    private (int Code, string Stdout, string Stderr) Install(bool withGrafana)
    {
        string bin = Path.Combine(_root, withGrafana ? "bin" : "bin-without-grafana"), home = Path.Combine(_root, "grafana-home");
        Directory.CreateDirectory(bin);
        Directory.CreateDirectory(Path.Combine(home, "conf"));
        File.WriteAllText(Path.Combine(home, "conf", "defaults.ini"), "");
        foreach (string tool in withGrafana ? new[] { "prometheus", "grafana-server" } : ["prometheus"])
        {
            File.WriteAllText(Path.Combine(bin, tool), "#!/bin/sh\nexit 0\n");
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(Path.Combine(bin, tool), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return Run("bash", [Path.Combine(CliRunner.RepositoryRoot, "deploy", "install-monitoring-units.sh"), "--no-start"], new()
        {
            ["PATH"] = $"{bin}:/usr/bin:/bin",
            ["GRAFANA_HOME"] = home,
            ["EVOMERGE_MONITORING_STATE"] = Path.Combine(_root, "state"),
            ["EVOMERGE_UNIT_DIR"] = Path.Combine(_root, "units"),
        });
    }

    private static (int Code, string Stdout, string Stderr) Run(string file, string[] args, Dictionary<string, string> environment)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}
