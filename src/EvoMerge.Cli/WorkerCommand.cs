using System.CommandLine;
using EvoMerge.Cluster;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge worker --cluster SPEC [--name NAME] [--port N] [--threads N] [--config-dir DIR] [--allow-path DIR]... [--device cpu|cuda[:N]]</c>: a worker silo that
/// evaluates the candidates of cluster searches (see <see cref="WorkerHost"/>).
/// </summary>
public static class WorkerCommand
{
    public static Command Create()
    {
        var cluster = new Option<string>("--cluster") { Description = "The cluster to join: localhost[:PORT] (the orchestrator's silo port) or a cluster YAML file.", Required = true };
        var name = new Option<string?>("--name") { Description = "Worker name, unique in the cluster (default: the host name); a restarted worker keeps its name." };
        var port = new Option<int>("--port") { Description = "Silo port (default 0: a free port; open it between machines).", DefaultValueFactory = _ => 0 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads (0: torch's default).", DefaultValueFactory = _ => 0 };
        var configDir = new Option<DirectoryInfo?>("--config-dir") { Description = "Resolve the search config's relative paths (models, tasks) here instead of the orchestrator's config directory." };
        var device = new DeviceCommandOption();
        var allow = new Option<DirectoryInfo[]>("--allow-path") { Description = "A directory this worker may open models and data under (repeatable; --config-dir counts; none: it refuses every path)." };
        var command = new Command("worker", "Evaluate candidates for cluster searches: evomerge worker --cluster localhost --allow-path DIR.") { cluster, name, port, threads, configDir, allow, device.Option };
        command.SetAction(parse =>
        {
            device.Use(parse);
            return WorkerHost.Run(ClusterSpec.Parse(parse.GetValue(cluster)!), parse.GetValue(name) ?? Environment.MachineName, parse.GetValue(port),
                parse.GetValue(threads), parse.GetValue(configDir)?.FullName, [.. (parse.GetValue(allow) ?? []).Select(d => d.FullName)]);
        });
        return command;
    }
}
