using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Search.Analysis;

/// <summary>
/// <c>evomerge analyze</c>'s work (docs/analyze.md): compatibility checks of each model against the base, task-vector
/// statistics per tensor kind and layer (streamed: one tensor per model in memory, float64), interpolation paths
/// scored on tasks when task files are given, and the recommendation.
/// </summary>
public static class ModelAnalysis
{
    /// <summary>Analyses <paramref name="models"/> (directories) against <paramref name="baseDirectory"/>; <paramref name="log"/> hears progress.</summary>
    public static AnalysisReport Run(string baseDirectory, IReadOnlyList<string> models, IReadOnlyList<string> taskFiles, Action<string> log)
    {
        if (models.Count == 0) throw new ArgumentException("analyze needs a base and at least one model directory");
        var names = Names(models);
        using var baseModel = ModelDirectory.Open(baseDirectory);
        var opened = new List<ModelDirectory>();
        try
        {
            opened.AddRange(models.Select(ModelDirectory.Open));
            var checks = new List<CompatibilityCheck>();
            var baseTokenizer = TokenizerIdentity.Load(baseModel.Path);
            for (int i = 0; i < opened.Count; i++)
            {
                checks.Add(ArchitectureCheck(names[i], baseModel.Config, opened[i].Config));
                checks.Add(ShapeCheck(names[i], baseModel.Weights, opened[i].Weights));
                var differences = TokenizerIdentity.Load(opened[i].Path).Differences(baseTokenizer);
                checks.Add(new CompatibilityCheck(names[i], "tokenizer", differences.Count == 0,
                    differences.Count == 0 ? "same vocabulary, merges, special tokens and chat template" : string.Join(", ", differences) + " differ"));
            }
            bool comparable = checks.All(c => c.Passed || c.Aspect == "tokenizer");
            var groups = comparable ? Statistics(baseModel.Weights, [.. opened.Select(m => m.Weights)], names, log) : [];
            var total = groups.Count > 0 ? groups[0] : null;
            if (total is not null)
            {
                for (int i = 0; i < names.Count; i++)
                {
                    double relative = total.RelativeNorms[i];
                    checks.Add(new CompatibilityCheck(names[i], "base match", relative <= MergeRecommendation.BaseMatchThreshold,
                        $"‖θ − θ_base‖ / ‖θ_base‖ = {relative:0.0000} ({(relative <= MergeRecommendation.BaseMatchThreshold ? "≤" : ">")} {MergeRecommendation.BaseMatchThreshold})"));
                }
            }
            var paths = new List<InterpolationPath>();
            if (taskFiles.Count > 0 && checks.All(c => c.Passed || c.Aspect == "base match"))
            {
                using var walk = new InterpolationWalk(baseModel.Path, taskFiles);
                string baseName = Path.GetFileName(Path.TrimEndingDirectorySeparator(baseModel.Path));
                for (int i = 0; i < opened.Count; i++) paths.AddRange(walk.Walk(baseName, baseModel.Path, names[i], opened[i].Path, log));
                for (int i = 0; i < opened.Count; i++)
                    for (int j = i + 1; j < opened.Count; j++) paths.AddRange(walk.Walk(names[i], opened[i].Path, names[j], opened[j].Path, log));
            }
            return new AnalysisReport(baseModel.Path, [.. opened.Select(m => m.Path)], names, checks, checks.All(c => c.Passed), groups, paths,
                MergeRecommendation.From(names, checks, total, paths));
        }
        finally
        {
            foreach (var m in opened) m.Dispose();
        }
    }

    /// <summary>Model labels: directory names, made unique with "#2", "#3", ….</summary>
    private static List<string> Names(IReadOnlyList<string> models)
    {
        var names = new List<string>();
        foreach (string model in models)
        {
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(model)));
            string unique = name;
            for (int n = 2; names.Contains(unique); n++) unique = $"{name}#{n}";
            names.Add(unique);
        }
        return names;
    }

    private static CompatibilityCheck ArchitectureCheck(string name, ModelConfig expected, ModelConfig actual)
    {
        var fields = new (string Key, object? Base, object? Model)[]
        {
            ("model_type", expected.ModelType, actual.ModelType), ("architectures", expected.Architecture, actual.Architecture),
            ("num_hidden_layers", expected.NumHiddenLayers, actual.NumHiddenLayers), ("hidden_size", expected.HiddenSize, actual.HiddenSize),
            ("intermediate_size", expected.IntermediateSize, actual.IntermediateSize), ("num_attention_heads", expected.NumAttentionHeads, actual.NumAttentionHeads),
            ("num_key_value_heads", expected.NumKeyValueHeads, actual.NumKeyValueHeads), ("head_dim", expected.HeadDim, actual.HeadDim),
            ("vocab_size", expected.VocabSize, actual.VocabSize), ("tie_word_embeddings", expected.TieWordEmbeddings, actual.TieWordEmbeddings),
        };
        var differ = fields.Where(f => !Equals(f.Base, f.Model)).Select(f => $"{f.Key} {f.Model} vs base {f.Base}").ToList();
        return new CompatibilityCheck(name, "architecture", differ.Count == 0, differ.Count == 0
            ? $"{actual.ModelType}, {actual.NumHiddenLayers} layers, hidden {actual.HiddenSize}, vocabulary {actual.VocabSize}"
            : string.Join("; ", differ));
    }

    private static CompatibilityCheck ShapeCheck(string name, ModelWeights expected, ModelWeights actual)
    {
        var missing = expected.Names.Where(n => !actual.Contains(n)).ToList();
        var extra = actual.Names.Where(n => !expected.Contains(n)).ToList();
        var reshaped = expected.Names.Where(actual.Contains).Where(n => !expected.Info(n).Shape.SequenceEqual(actual.Info(n).Shape)).ToList();
        var problems = new List<string>();
        if (missing.Count > 0) problems.Add($"{missing.Count} tensors missing (first {missing[0]})");
        if (extra.Count > 0) problems.Add($"{extra.Count} tensors the base lacks (first {extra[0]})");
        if (reshaped.Count > 0) problems.Add($"{reshaped.Count} shapes differ (first {reshaped[0]}: {actual.Info(reshaped[0]).ShapeText} vs base {expected.Info(reshaped[0]).ShapeText})");
        return new CompatibilityCheck(name, "tensor shapes", problems.Count == 0,
            problems.Count == 0 ? $"{expected.Names.Count} tensors, same names and shapes" : string.Join("; ", problems));
    }

    /// <summary>The groups: the whole model first, then each tensor kind over all layers, each layer, each kind of each layer, the tensors outside the layers.</summary>
    private static List<GroupStatistics> Statistics(ModelWeights baseWeights, IReadOnlyList<ModelWeights> models, IReadOnlyList<string> names, Action<string> log)
    {
        var fine = new Dictionary<TensorKindGroup, GroupAccumulator>();
        log($"task-vector statistics over {baseWeights.Names.Count} tensors");
        foreach (string name in baseWeights.Names)
        {
            using var scope = torch.NewDisposeScope();
            var theta = baseWeights.Load(name, torch.ScalarType.Float64);
            var deltas = models.Select(m => m.Load(name, torch.ScalarType.Float64).sub(theta)).ToList();
            var group = TensorKindGroup.Of(name);
            if (!fine.TryGetValue(group, out var accumulator)) fine[group] = accumulator = new GroupAccumulator(models.Count);
            accumulator.Add(theta, deltas);
        }
        var coarse = new Dictionary<TensorKindGroup, GroupAccumulator>();
        void AddTo(TensorKindGroup key, GroupAccumulator part)
        {
            if (!coarse.TryGetValue(key, out var sum)) coarse[key] = sum = new GroupAccumulator(models.Count);
            sum.Add(part);
        }
        foreach (var (group, accumulator) in fine)
        {
            AddTo(new TensorKindGroup(null, TensorKindGroup.AllKinds), accumulator);
            if (group.Layer is not null)
            {
                AddTo(new TensorKindGroup(null, group.Kind), accumulator);
                AddTo(new TensorKindGroup(group.Layer, TensorKindGroup.AllKinds), accumulator);
            }
        }
        var ordered = coarse.Keys.OrderBy(g => g.Kind != TensorKindGroup.AllKinds || g.Layer is not null).ThenBy(g => g.Layer is not null).ThenBy(g => g.Layer).ThenBy(g => g.Kind, StringComparer.Ordinal)
            .Select(g => coarse[g].Result(g, names))
            .Concat(fine.Keys.OrderBy(g => g.Layer is null).ThenBy(g => g.Layer).ThenBy(g => g.Kind, StringComparer.Ordinal).Select(g => fine[g].Result(g, names)));
        return [.. ordered];
    }
}
