namespace EvoMerge.Tensors;

/// <summary>What <c>evomerge inspect</c> reports about a model directory: shape, parameter counts per dtype, shards and bytes.</summary>
public sealed record ModelSummary(
    string Path, string ModelType, string? Architecture, int Layers, int HiddenSize, int IntermediateSize,
    int Heads, int KeyValueHeads, int HeadDim, int VocabSize, bool TiedEmbeddings, string? ConfigDtype,
    long Parameters, IReadOnlyDictionary<string, long> ParametersByDtype, IReadOnlyList<ShardSummary> Shards, long TotalBytes,
    IReadOnlyList<string> AuxiliaryFiles)
{
    /// <summary>The summary of an opened model directory.</summary>
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
}
