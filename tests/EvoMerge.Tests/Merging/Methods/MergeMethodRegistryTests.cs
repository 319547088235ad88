using EvoMerge.Merging;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>The registry against the methods documented in docs/merge-semantics.md.</summary>
public sealed class MergeMethodRegistryTests
{
    private const string Gta = "int8_mask=0 normalize={0} rescale={1} lambda=1 | weight=REQ density=1";

    /// <summary>name → (global and per-model parameters as "name=default|REQ|none", base rule, min, max, randomness).</summary>
    public static TheoryData<string, string, BaseModelRule, int, int?, bool> Table => new()
    {
        { "linear", "normalize=1 | weight=REQ", BaseModelRule.Ignored, 1, null, false },
        { "slerp", "t=REQ |", BaseModelRule.Required, 1, 1, false },
        { "nuslerp", "nuslerp_row_wise=0 nuslerp_flatten=1 | weight=REQ", BaseModelRule.Optional, 2, 2, false },
        { "multislerp", "normalize_weights=1 eps=1E-08 | weight=REQ", BaseModelRule.Optional, 1, null, false },
        { "karcher", "max_iter=10 tol=1E-05 |", BaseModelRule.Ignored, 1, null, false },
        { "task_arithmetic", string.Format(Gta, 0, 0), BaseModelRule.Required, 1, null, false },
        { "ties", string.Format(Gta, 1, 0), BaseModelRule.Required, 1, null, false },
        { "dare_ties", string.Format(Gta, 0, 1), BaseModelRule.Required, 1, null, true },
        { "dare_linear", string.Format(Gta, 0, 1), BaseModelRule.Required, 1, null, true },
        { "breadcrumbs", string.Format(Gta, 0, 0) + " gamma=0.01", BaseModelRule.Required, 1, null, false },
        { "breadcrumbs_ties", string.Format(Gta, 0, 0) + " gamma=0.01", BaseModelRule.Required, 1, null, false },
        { "della", string.Format(Gta, 1, 1) + " epsilon=0.15", BaseModelRule.Required, 1, null, true },
        { "della_linear", string.Format(Gta, 0, 1) + " epsilon=0.15", BaseModelRule.Required, 1, null, true },
        { "sce", "int8_mask=0 select_topk=1 |", BaseModelRule.Required, 1, null, false },
        { "ram", "epsilon=1E-05 |", BaseModelRule.Required, 1, null, false },
        { "ramplus_tl", "r=0.1 alpha=0.2 epsilon=1E-05 |", BaseModelRule.Required, 1, null, false },
        { "model_stock", "filter_wise=0 |", BaseModelRule.Required, 2, null, false },
        { "nearswap", "t=REQ |", BaseModelRule.Required, 1, 1, false },
        { "arcee_fusion", "|", BaseModelRule.Required, 1, 1, false },
        { "passthrough", "| scale=none", BaseModelRule.Ignored, 1, 1, false },
        { "tsv", "alpha=1 include_embeddings=0 |", BaseModelRule.Required, 1, null, false },
        { "iso_c", "alpha=1 include_embeddings=0 |", BaseModelRule.Required, 1, null, false },
        { "iso_cts", "alpha=1 include_embeddings=0 common_space_fraction=0.8 |", BaseModelRule.Required, 1, null, false },
        { "esm", "alpha=1 include_embeddings=0 scaling_power=2 |", BaseModelRule.Required, 1, null, false },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Declares_the_documented_parameters_and_rules(string name, string parameters, BaseModelRule baseRule, int min, int? max, bool random)
    {
        var method = MergeMethodRegistry.Default.Get(name);
        Assert.Equal(name, method.Name);
        string Describe(MergeParameter p) => $"{p.Name}={(p.Required ? "REQ" : p.Default is { } d ? d.ToString("G", System.Globalization.CultureInfo.InvariantCulture) : "none")}";
        string Scope(ParameterScope scope) => string.Join(" ", method.Parameters.Where(p => p.Scope == scope).Select(Describe));
        Assert.Equal(parameters, $"{Scope(ParameterScope.Global)} | {Scope(ParameterScope.PerModel)}".Trim());
        Assert.Equal(baseRule, method.BaseModel);
        Assert.Equal((min, max), method.ModelCount);
        Assert.Equal(random, method.UsesRandomness);
    }

    [Fact]
    public void Registers_exactly_the_twenty_four_methods()
    {
        var expected = Table.Select(row => (string)row[0]).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(24, expected.Length);
        Assert.Equal(expected, MergeMethodRegistry.Default.Names);
    }

    [Fact]
    public void Flags_are_booleans()
    {
        foreach (var name in MergeMethodRegistry.Default.Names)
        {
            foreach (var p in MergeMethodRegistry.Default.Get(name).Parameters.Where(p => p.Name is "normalize" or "include_embeddings" or "rescale" or "int8_mask" or "filter_wise" or "normalize_weights" or "nuslerp_row_wise" or "nuslerp_flatten"))
                Assert.Equal(ParameterKind.Boolean, p.Kind);
        }
    }
}
