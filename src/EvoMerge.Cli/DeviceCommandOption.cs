using System.CommandLine;
using EvoMerge.Tensors;

namespace EvoMerge.Cli;

/// <summary>The <c>--device cpu | cuda[:N]</c> option of search, resume, worker, merge and eval: where models and candidates are built and scored (<see cref="ComputeDevice"/>).</summary>
public sealed class DeviceCommandOption
{
    public Option<string> Option { get; } = new("--device") { Description = "Where tensors live and are computed: cpu, cuda or cuda:N (cuda needs a build made with -p:TorchBackend=cuda).", DefaultValueFactory = _ => "cpu" };

    /// <summary>Makes the device given the process's device, refusing one this build cannot use, before any input is read.</summary>
    public void Use(ParseResult parse) => ComputeDevice.Use(parse.GetValue(Option), Option.Name);
}
