using System.Globalization;
using System.Text.RegularExpressions;

namespace EvoMerge.Tensors.Routed;

/// <summary>
/// What <c>evomerge inspect</c> reports about a routed-experts model's extra part (docs/routed-merges.md): the
/// config.json block (experts and their sources, how the ranks were cut, the router's settings), the parameters of
/// the backbone against the experts' factors and the router's prototypes, each expert's ranks, and which layers hold
/// factors of which expert. Read from the tensor names and headers only (no tensor data).
/// </summary>
public sealed partial record RoutedSummary(
    int Experts, IReadOnlyList<string> Sources, int? Rank, double? Energy, int RouterLayer, double Temperature, string Granularity, int TopK,
    long BackboneParameters, long ExpertParameters, long RouterParameters,
    IReadOnlyList<RoutedSummary.ExpertSummary> PerExpert, IReadOnlyList<RoutedSummary.LayerSummary> Layers)
{
    /// <summary>One expert: its source, factor parameters, how many linear weights it has factors of, and their ranks.</summary>
    public sealed record ExpertSummary(int Expert, string? Source, long Parameters, int FactoredWeights, int MinRank, int MaxRank);

    /// <summary>One decoder layer holding factors: per expert (in order) how many of its linear weights are factored there.</summary>
    public sealed record LayerSummary(int Layer, IReadOnlyList<int> FactoredWeightsPerExpert);

    [GeneratedRegex(@"^(?<weight>.+)\.routed_experts\.(?<expert>\d+)\.lora_A$", RegexOptions.CultureInvariant)]
    private static partial Regex FactorA();

    [GeneratedRegex(@"^model\.layers\.(?<layer>\d+)\.", RegexOptions.CultureInvariant)]
    private static partial Regex LayerIndex();

    /// <summary>(Backbone + experts + router) / backbone parameters.</summary>
    public double TotalToBackbone => BackboneParameters == 0 ? 0 : (BackboneParameters + ExpertParameters + RouterParameters) / (double)BackboneParameters;

    /// <summary>The summary of a routed model directory (opened with <see cref="ModelDirectory.OpenRoutedAware"/>), or null for a plain model.</summary>
    public static RoutedSummary? Of(ModelDirectory model)
    {
        var block = RoutedExpertsConfig.Read(model.Config, model.ConfigPath);
        if (block is null) return null;
        var weights = model.Weights;
        long backbone = 0, experts = 0, router = 0;
        var perExpert = Enumerable.Range(0, block.Experts).Select(_ => new List<int>()).ToArray();
        var expertParameters = new long[block.Experts];
        var layers = new SortedDictionary<int, int[]>();
        foreach (string name in weights.Names)
        {
            var info = weights.Info(name);
            if (name == RoutedExpertsConfig.PrototypesName || name.StartsWith(RoutedExpertsConfig.Key + ".", StringComparison.Ordinal))
            {
                router += info.ElementCount;
                continue;
            }
            if (!name.Contains(".routed_experts.", StringComparison.Ordinal))
            {
                backbone += info.ElementCount;
                continue;
            }
            experts += info.ElementCount;
            int owner = ExpertOf(name);
            if (owner >= 0 && owner < block.Experts) expertParameters[owner] += info.ElementCount;
            if (FactorA().Match(name) is not { Success: true } a || owner >= block.Experts) continue;
            perExpert[owner].Add(info.Shape.Length > 0 ? (int)info.Shape[0] : 0);
            if (LayerIndex().Match(a.Groups["weight"].Value) is { Success: true } l)
            {
                int layer = int.Parse(l.Groups["layer"].Value, CultureInfo.InvariantCulture);
                if (!layers.TryGetValue(layer, out var counts)) layers[layer] = counts = new int[block.Experts];
                counts[owner]++;
            }
        }
        return new RoutedSummary(block.Experts, block.Sources, block.Rank, block.Energy, block.RouterLayer, block.Temperature,
            block.Granularity == RoutingGranularity.Sequence ? "sequence" : "token", block.TopK, backbone, experts, router,
            Enumerable.Range(0, block.Experts).Select(s => new ExpertSummary(s, s < block.Sources.Count ? block.Sources[s] : null, expertParameters[s],
                perExpert[s].Count, perExpert[s].Count == 0 ? 0 : perExpert[s].Min(), perExpert[s].Count == 0 ? 0 : perExpert[s].Max())).ToArray(),
            layers.Select(p => new LayerSummary(p.Key, p.Value)).ToArray());
    }

    /// <summary>The block as aligned text lines (part of <c>inspect</c>'s table).</summary>
    public string ToText()
    {
        var inv = CultureInfo.InvariantCulture;
        var w = new StringWriter(inv);
        string cut = Rank is { } rank ? $"rank {rank}" : Energy is { } energy ? $"energy {energy.ToString(inv)}" : "rank (not recorded)";
        w.WriteLine($"routed         {Experts} expert{(Experts == 1 ? "" : "s")}, {cut}; router prototype at layer {RouterLayer}, temperature {Temperature.ToString(inv)}, {Granularity}, top_k {TopK}");
        w.WriteLine(string.Create(inv, $"routed params  backbone {BackboneParameters:N0}, experts {ExpertParameters:N0}, router {RouterParameters:N0}: total {TotalToBackbone:0.00}× the backbone"));
        foreach (var e in PerExpert)
        {
            string ranks = e.FactoredWeights == 0 ? "no factors" : e.MinRank == e.MaxRank ? $"rank {e.MinRank}" : $"rank {e.MinRank} … {e.MaxRank}";
            w.WriteLine(string.Create(inv, $"  expert {e.Expert,-5} {e.Source ?? "(unnamed)"}: {e.Parameters:N0} parameters, {e.FactoredWeights} factored weights, {ranks}"));
        }
        foreach (var l in Layers)
            w.WriteLine($"  layer {l.Layer,-6} factored weights per expert: {string.Join(", ", l.FactoredWeightsPerExpert)}");
        return w.ToString();
    }

    private static int ExpertOf(string name)
    {
        int at = name.IndexOf(".routed_experts.", StringComparison.Ordinal) + ".routed_experts.".Length;
        int end = name.IndexOf('.', at);
        return end > at && int.TryParse(name.AsSpan(at, end - at), NumberStyles.None, CultureInfo.InvariantCulture, out int s) ? s : -1;
    }
}
