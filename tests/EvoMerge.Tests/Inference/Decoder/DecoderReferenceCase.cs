using System.Text.Json.Nodes;
using EvoMerge.Inference;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>
/// One case under <c>tests/fixtures/decoder-reference/cases</c>: a tiny random model (config.json,
/// model.safetensors) and expected.json, the float64 Python reference's log-likelihood and greedy flag per request.
/// </summary>
internal sealed record DecoderReferenceCase(string Name, string Directory, string ModelType, string? RopeType,
    IReadOnlyList<LogLikelihoodRequest> Requests, IReadOnlyList<double> LogLikelihoods, IReadOnlyList<bool> Greedy)
{
    /// <summary>The folder holding every case.</summary>
    public static string Root { get; } = RepositoryPaths.Combine("tests", "fixtures", "decoder-reference", "cases");

    /// <summary>Every case's name, sorted.</summary>
    public static IEnumerable<string> Names() =>
        System.IO.Directory.GetDirectories(Root).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal);

    /// <summary>Reads case <paramref name="name"/>, or an expected.json at <paramref name="expectedPath"/> for it.</summary>
    public static DecoderReferenceCase Load(string name, string? expectedPath = null)
    {
        string directory = Path.Combine(Root, name);
        var config = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "config.json")))!;
        var textConfig = config["text_config"] as JsonObject ?? config;
        var scaling = textConfig["rope_scaling"] as JsonObject;
        string? ropeType = (scaling?["rope_type"] ?? scaling?["type"])?.GetValue<string>();
        var expected = (JsonObject)JsonNode.Parse(File.ReadAllText(expectedPath ?? Path.Combine(directory, "expected.json")))!;
        var requests = expected["requests"]!.AsArray().Select(r => new LogLikelihoodRequest(
            Ids(r!["context"]!), Ids(r!["continuation"]!))).ToList();
        return new DecoderReferenceCase(name, directory, config["model_type"]!.GetValue<string>(), ropeType, requests,
            expected["loglikelihood"]!.AsArray().Select(v => v!.GetValue<double>()).ToList(),
            expected["greedy"]!.AsArray().Select(v => v!.GetValue<bool>()).ToList());
    }

    /// <summary>
    /// True when a sequence's rotary frequencies depend on its own length (dynamic NTK, longrope), so scores of a
    /// padded batch legitimately differ from the reference's one-sequence-per-pass scores.
    /// </summary>
    public bool LengthDependentRope => RopeType is "dynamic" or "longrope" or "su";

    private static int[] Ids(JsonNode node) => node.AsArray().Select(v => v!.GetValue<int>()).ToArray();
}
