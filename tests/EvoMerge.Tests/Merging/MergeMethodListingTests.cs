using EvoMerge.Merging;
using Xunit;

namespace EvoMerge.Tests.Merging;

/// <summary>
/// The listing behind <c>evomerge methods</c> and the docs table. Expected values are mergekit's documented semantics
/// and the search ranges the README states, written by hand.
/// </summary>
public class MergeMethodListingTests
{
    private static System.Text.Json.Nodes.JsonNode Method(string name) =>
        MergeMethodListing.ToJson(MergeMethodRegistry.Default)["methods"]!.AsArray().Single(m => m!["name"]!.GetValue<string>() == name)!;

    private static System.Text.Json.Nodes.JsonNode Parameter(string method, string parameter) =>
        Method(method)["parameters"]!.AsArray().Single(p => p!["name"]!.GetValue<string>() == parameter)!;

    [Fact]
    public void EveryRegisteredMethodIsListedOnce()
    {
        var names = MergeMethodListing.ToJson(MergeMethodRegistry.Default)["methods"]!.AsArray().Select(m => m!["name"]!.GetValue<string>()).ToList();
        Assert.Equal(24, names.Count);
        Assert.Equal(names.Count, names.Distinct().Count());
    }

    [Fact]
    public void TiesDeclaresWeightAndDensityGenesAndAMagnitudeOrder()
    {
        var density = Parameter("ties", "density");
        Assert.Equal("per_model", density["scope"]!.GetValue<string>());
        Assert.Equal(1.0, density["default"]!.GetValue<double>());
        Assert.Equal(0.1, density["gene"]!["low"]!.GetValue<double>());
        Assert.Equal(1.0, density["gene"]!["high"]!.GetValue<double>());
        Assert.True(Parameter("ties", "weight")["required"]!.GetValue<bool>());
        Assert.True(Parameter("ties", "normalize")["default"]!.GetValue<bool>());
        Assert.Null(Parameter("ties", "lambda")["gene"]);
        Assert.True(Method("ties")["takes_magnitude_order"]!.GetValue<bool>());
        Assert.False(Method("dare_ties")["takes_magnitude_order"]!.GetValue<bool>());
        Assert.True(Method("dare_ties")["uses_randomness"]!.GetValue<bool>());
    }

    [Fact]
    public void SearchSupportSaysWhichModelsACandidateMerges()
    {
        Assert.Equal("first_source_as_base", Method("slerp")["search"]!["inputs"]!.GetValue<string>());
        Assert.Equal(2, Method("slerp")["search"]!["max_sources"]!.GetValue<int>());
        Assert.Equal("sources_only", Method("linear")["search"]!["inputs"]!.GetValue<string>());
        Assert.Equal(2, Method("linear")["search"]!["min_sources"]!.GetValue<int>());
        Assert.Equal("base_and_sources", Method("ties")["search"]!["inputs"]!.GetValue<string>());
        Assert.Null(Method("passthrough")["search"]);
        Assert.True(Method("esm")["needs_proxy_activations"]!.GetValue<bool>());
        Assert.Equal(8.0, Parameter("esm", "scaling_power")["gene"]!["maximum"]!.GetValue<double>());
        Assert.Equal(8.0, Parameter("esm", "scaling_power")["maximum"]!.GetValue<double>());
        Assert.True(Parameter("ties", "density")["minimum_exclusive"]!.GetValue<bool>());
        Assert.Equal(1.0, Parameter("ties", "density")["maximum"]!.GetValue<double>());
    }

    [Fact]
    public void TheRegistryOrdersGenesAsTheGenomeLaysThemOut()
    {
        Assert.Equal(["weight", "density", "t", "epsilon", "gamma", "alpha", "common_space_fraction", "scaling_power"],
            MergeMethodRegistry.Default.Genes.Select(g => g.Name));
    }

    [Fact]
    public void MethodsThatShareAGeneMustDeclareTheSameRange()
    {
        var wide = new RenamedTies("wide_ties", new SearchGene(0.0, 3.0, "weight"));
        var e = Assert.Throws<ArgumentException>(() => MergeMethodRegistry.Default.With(wide));
        Assert.Contains("declares gene 'weight' unlike 'linear'", e.Message);
    }

    [Fact]
    public void TheDocsTableIsTheGeneratedOne()
    {
        string docs = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "docs", "merge-semantics.md"));
        const string begin = "<!-- methods-table:begin -->\n", end = "<!-- methods-table:end -->";
        int from = docs.IndexOf(begin, StringComparison.Ordinal) + begin.Length;
        string table = docs[from..docs.IndexOf(end, StringComparison.Ordinal)];
        Assert.Equal(MergeMethodListing.ToMarkdown(MergeMethodRegistry.Default), table);
    }

    private sealed class RenamedTies(string name, SearchGene weight) : IMergeMethod
    {
        public string Name => name;

        public IReadOnlyList<MergeParameter> Parameters { get; } = [MergeParameter.Number("weight", ParameterScope.PerModel, required: true).Searched(weight)];

        public BaseModelRule BaseModel => BaseModelRule.Required;

        public (int Min, int? Max) ModelCount => (1, null);

        public bool UsesRandomness => false;

        public MethodSearchSupport Search => MethodSearchSupport.TaskVectors;

        public TorchSharp.torch.Tensor Merge(MergeContext context) => throw new NotSupportedException();
    }
}
