using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.Tests.Tensors;

/// <summary>
/// mergekit's auto.py inference on hand-written tensor names: the text before the first ".N." names a layer stack,
/// one stack is the "default" module, several are modules named by their prefixes, everything else is loose.
/// </summary>
public class InferredArchitectureTests
{
    [Fact]
    public void One_stack_under_any_prefix_is_the_default_module()
    {
        string[] names = ["transformer.wte.weight", "transformer.h.0.attn.c_attn.weight", "transformer.h.0.ln_1.weight",
            "transformer.h.1.ln_1.weight", "transformer.h.1.attn.c_attn.weight", "transformer.ln_f.weight"];
        var (modules, loose, optional) = InferredArchitecture.Infer([names]);
        var module = Assert.Single(modules);
        Assert.Equal(("default", "transformer.h.{i}.", 2), (module.Name, module.LayerPrefix, module.LayerCount));
        Assert.Equal(["transformer.h.{i}.attn.c_attn.weight", "transformer.h.{i}.ln_1.weight"], module.LayerTemplate);
        Assert.Equal(["transformer.wte.weight", "transformer.ln_f.weight"], loose);
        Assert.Empty(optional);
        Assert.Empty(module.OptionalTemplates);
    }

    [Fact]
    public void The_first_numbered_component_splits_the_name_and_later_numbers_stay_in_the_template()
    {
        string[] names = ["blocks.0.experts.1.w.weight", "blocks.0.experts.0.w.weight", "blocks.1.experts.0.w.weight", "blocks.1.experts.1.w.weight"];
        var module = Assert.Single(InferredArchitecture.Infer([names]).Modules);
        Assert.Equal(["blocks.{i}.experts.0.w.weight", "blocks.{i}.experts.1.w.weight"], module.LayerTemplate);
    }

    [Fact]
    public void A_tensor_some_layer_lacks_is_in_the_template_and_optional()
    {
        string[] names = ["net.0.a.weight", "net.0.b.weight", "net.1.a.weight"];
        var module = Assert.Single(InferredArchitecture.Infer([names]).Modules);
        Assert.Equal(["net.{i}.a.weight", "net.{i}.b.weight"], module.LayerTemplate);
        Assert.Equal(["net.{i}.b.weight"], module.OptionalTemplates);
    }

    [Fact]
    public void A_layer_index_gap_counts_up_to_the_highest_index_and_makes_every_template_optional()
    {
        string[] names = ["net.0.a.weight", "net.2.a.weight"];
        var module = Assert.Single(InferredArchitecture.Infer([names]).Modules);
        Assert.Equal(3, module.LayerCount);
        Assert.Equal(["net.{i}.a.weight"], module.OptionalTemplates);
    }
}
