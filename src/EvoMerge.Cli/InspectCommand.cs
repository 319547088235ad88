using System.CommandLine;
using EvoMerge.Tensors;

namespace EvoMerge.Cli;

/// <summary><c>evomerge inspect MODEL_DIR [--json]</c>: architecture, parameter count, dtypes, shards and bytes (and a routed model's experts).</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("MODEL_DIR") { Description = "A model directory in HuggingFace layout (config.json + safetensors)." };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON instead of a table." };
        var command = new Command("inspect", "Print a model's architecture, parameter count, dtypes, shard list and total bytes.") { dir, json };
        command.SetAction(parse =>
        {
            using var model = ModelDirectory.OpenRoutedAware(parse.GetValue(dir)!.FullName);
            var summary = ModelSummary.Of(model);
            Console.Out.Write(parse.GetValue(json) ? summary.ToJson() : summary.ToText());
            return 0;
        });
        return command;
    }
}
