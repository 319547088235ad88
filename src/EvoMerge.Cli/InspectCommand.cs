using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EvoMerge.Tensors;

namespace EvoMerge.Cli;

/// <summary><c>evomerge inspect MODEL_DIR [--json]</c>: architecture, parameter count, dtypes, shards and bytes.</summary>
public static class InspectCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("MODEL_DIR") { Description = "A model directory in HuggingFace layout (config.json + safetensors)." };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON instead of a table." };
        var command = new Command("inspect", "Print a model's architecture, parameter count, dtypes, shard list and total bytes.") { dir, json };
        command.SetAction(parse =>
        {
            using var model = ModelDirectory.Open(parse.GetValue(dir)!.FullName);
            var summary = ModelSummary.Of(model);
            Console.Out.Write(parse.GetValue(json) ? Json(summary) : Text(summary));
            return 0;
        });
        return command;
    }

    private static string Json(ModelSummary summary) => JsonSerializer.Serialize(summary, new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    }) + Environment.NewLine;

    private static string Text(ModelSummary s)
    {
        var inv = CultureInfo.InvariantCulture;
        var w = new StringWriter(inv);
        w.WriteLine($"model          {s.Path}");
        w.WriteLine($"architecture   {s.Architecture ?? "(none)"} (model_type {s.ModelType})");
        w.WriteLine($"layers         {s.Layers}, hidden {s.HiddenSize}, intermediate {s.IntermediateSize}");
        w.WriteLine($"attention      {s.Heads} heads, {s.KeyValueHeads} kv heads, head_dim {s.HeadDim}");
        w.WriteLine($"vocab          {s.VocabSize}{(s.TiedEmbeddings ? ", tied embeddings" : "")}");
        w.WriteLine($"parameters     {s.Parameters.ToString("N0", inv)} ({HumanCount(s.Parameters)})");
        w.WriteLine($"dtypes         {string.Join(", ", s.ParametersByDtype.Select(p => $"{p.Key}: {p.Value.ToString("N0", inv)}"))}{(s.ConfigDtype is null ? "" : $" (config torch_dtype {s.ConfigDtype})")}");
        w.WriteLine($"shards         {s.Shards.Count}");
        foreach (var shard in s.Shards) w.WriteLine($"  {shard.File,-40} {shard.Tensors,5} tensors {HumanBytes(shard.Bytes),12}");
        w.WriteLine($"total bytes    {s.TotalBytes.ToString("N0", inv)} ({HumanBytes(s.TotalBytes)})");
        w.WriteLine($"other files    {(s.AuxiliaryFiles.Count == 0 ? "(none)" : string.Join(", ", s.AuxiliaryFiles))}");
        return w.ToString();
    }

    private static string HumanCount(long n) => n switch
    {
        >= 1_000_000_000 => (n / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + "B",
        >= 1_000_000 => (n / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (n / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "K",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };

    private static string HumanBytes(long n) => n switch
    {
        >= 1L << 30 => (n / (double)(1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
        >= 1L << 20 => (n / (double)(1L << 20)).ToString("0.00", CultureInfo.InvariantCulture) + " MiB",
        >= 1L << 10 => (n / (double)(1L << 10)).ToString("0.00", CultureInfo.InvariantCulture) + " KiB",
        _ => n.ToString(CultureInfo.InvariantCulture) + " B",
    };
}
