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
            Console.Out.Write(parse.GetValue(json) ? summary.ToJson() : summary.ToText());
            return 0;
        });
        return command;
    }
}

/// <summary>What <c>inspect</c> reports about a model.</summary>
public sealed record ModelSummary(
    string Path, string ModelType, string? Architecture, int Layers, int HiddenSize, int IntermediateSize,
    int Heads, int KeyValueHeads, int HeadDim, int VocabSize, bool TiedEmbeddings, string? ConfigDtype,
    long Parameters, IReadOnlyDictionary<string, long> ParametersByDtype, IReadOnlyList<ShardSummary> Shards, long TotalBytes,
    IReadOnlyList<string> AuxiliaryFiles)
{
    public static ModelSummary Of(ModelDirectory model)
    {
        var c = model.Config;
        var weights = model.Weights;
        var byDtype = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (string name in weights.Names)
        {
            var info = weights.Info(name);
            string key = info.DType.ToSafetensorsName();
            byDtype[key] = byDtype.GetValueOrDefault(key) + info.ElementCount;
        }
        var shards = weights.ShardFiles.Select(s =>
        {
            var file = weights.FileOf(weights.Names.First(n => weights.FileOf(n).Path.EndsWith(s, StringComparison.Ordinal)));
            return new ShardSummary(s, file.Tensors.Count, file.Length);
        }).ToList();
        return new ModelSummary(model.Path, c.ModelType, c.Architecture, c.NumHiddenLayers, c.HiddenSize, c.IntermediateSize,
            c.NumAttentionHeads, c.NumKeyValueHeads, c.HeadDim, c.VocabSize, c.TieWordEmbeddings, c.TorchDtype,
            weights.ParameterCount, byDtype, shards, weights.TotalBytes, model.AuxiliaryFiles);
    }

    public string ToJson() => JsonSerializer.Serialize(this, new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    }) + Environment.NewLine;

    public string ToText()
    {
        var inv = CultureInfo.InvariantCulture;
        var w = new StringWriter(inv);
        w.WriteLine($"model          {Path}");
        w.WriteLine($"architecture   {Architecture ?? "(none)"} (model_type {ModelType})");
        w.WriteLine($"layers         {Layers}, hidden {HiddenSize}, intermediate {IntermediateSize}");
        w.WriteLine($"attention      {Heads} heads, {KeyValueHeads} kv heads, head_dim {HeadDim}");
        w.WriteLine($"vocab          {VocabSize}{(TiedEmbeddings ? ", tied embeddings" : "")}");
        w.WriteLine($"parameters     {Parameters.ToString("N0", inv)} ({HumanCount(Parameters)})");
        w.WriteLine($"dtypes         {string.Join(", ", ParametersByDtype.Select(p => $"{p.Key}: {p.Value.ToString("N0", inv)}"))}{(ConfigDtype is null ? "" : $" (config torch_dtype {ConfigDtype})")}");
        w.WriteLine($"shards         {Shards.Count}");
        foreach (var s in Shards) w.WriteLine($"  {s.File,-40} {s.Tensors,5} tensors {HumanBytes(s.Bytes),12}");
        w.WriteLine($"total bytes    {TotalBytes.ToString("N0", inv)} ({HumanBytes(TotalBytes)})");
        w.WriteLine($"other files    {(AuxiliaryFiles.Count == 0 ? "(none)" : string.Join(", ", AuxiliaryFiles))}");
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

/// <summary>One shard file in an inspect report.</summary>
public sealed record ShardSummary(string File, int Tensors, long Bytes);
