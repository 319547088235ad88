using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;

namespace EvoMerge.Tensors.Routed;

/// <summary>
/// Writes a routed-experts model (docs/routed-merges.md): the backbone's config.json with the
/// <see cref="RoutedExpertsConfig"/> block added, and one set of safetensors holding the backbone's tensors, every
/// expert's factors (<see cref="RoutedExpertsConfig.FactorName"/>, in the backbone's dtype) and the router's
/// prototypes (fp32).
/// </summary>
public static class RoutedModelWriter
{
    /// <summary>One expert's factors of one linear weight.</summary>
    public sealed record Factor(string WeightName, int Expert, torch.Tensor A, torch.Tensor B);

    /// <summary>Writes the model into <paramref name="directory"/> (config.json last, so a half-written directory has none).</summary>
    public static void Write(string directory, JsonObject backboneConfig, IReadOnlyList<(string Name, torch.Tensor Tensor)> backbone,
        IReadOnlyList<Factor> factors, torch.Tensor prototypes, RoutedExpertsConfig block, long maxShardBytes = SafetensorsWriter.DefaultMaxShardBytes)
    {
        Directory.CreateDirectory(directory);
        using var scope = torch.NewDisposeScope();
        var dtype = backbone.Count > 0 ? backbone[0].Tensor.dtype : torch.ScalarType.Float32;
        var tensors = new List<(string, torch.Tensor)>(backbone);
        foreach (var f in factors.OrderBy(f => f.WeightName, StringComparer.Ordinal).ThenBy(f => f.Expert))
        {
            tensors.Add((RoutedExpertsConfig.FactorName(f.WeightName, f.Expert, "lora_A"), f.A.to(dtype).contiguous()));
            tensors.Add((RoutedExpertsConfig.FactorName(f.WeightName, f.Expert, "lora_B"), f.B.to(dtype).contiguous()));
        }
        tensors.Add((RoutedExpertsConfig.PrototypesName, prototypes.to(torch.ScalarType.Float32).contiguous()));
        foreach (string stale in Directory.EnumerateFiles(directory, "model*.safetensors*").ToList()) File.Delete(stale);
        SafetensorsWriter.WriteModel(directory, tensors, maxShardBytes);
        var config = (JsonObject)backboneConfig.DeepClone();
        config[RoutedExpertsConfig.Key] = block.ToJson();
        AtomicFile.WriteAllText(Path.Combine(directory, "config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
