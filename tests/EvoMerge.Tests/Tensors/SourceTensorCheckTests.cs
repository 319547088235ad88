using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Tensors;

public class SourceTensorCheckTests
{
    private static readonly TinyDecoderSpec Spec = new() { Layers = 2, HiddenSize = 32, IntermediateSize = 64 };

    private static string Write(TempDirectory temp, string name, TinyDecoderSpec spec, Func<List<(string Name, torch.Tensor Tensor)>, List<(string Name, torch.Tensor Tensor)>>? edit = null)
    {
        string directory = temp.Combine(name);
        var weights = TinyDecoderWriter.RandomWeights(spec, 1);
        TinyDecoderWriter.Write(directory, spec, edit is null ? weights : edit(weights));
        return directory;
    }

    private static string? Mismatch(string baseDirectory, string source)
    {
        using var baseModel = ModelDirectory.Open(baseDirectory);
        using var model = ModelDirectory.Open(source);
        return SourceTensorCheck.FirstMismatch(baseModel, model);
    }

    [Fact]
    public void ASourceOfTheSameShapesPassesWhateverItsFloatWidth()
    {
        using var temp = new TempDirectory();
        string baseModel = Write(temp, "base", Spec);
        Assert.Null(Mismatch(baseModel, Write(temp, "same", Spec)));
        Assert.Null(Mismatch(baseModel, Write(temp, "half", Spec with { DType = torch.ScalarType.BFloat16 })));
    }

    [Fact]
    public void AShapeDifferenceNamesTheModelTheTensorAndBothShapes()
    {
        using var temp = new TempDirectory();
        string baseModel = Write(temp, "base", Spec);
        string narrow = Write(temp, "narrow", Spec with { IntermediateSize = 48 });
        // Layer 0's first MLP tensor is gate_proj: [intermediate, hidden].
        Assert.Equal($"model {narrow}: tensor model.layers.0.mlp.gate_proj.weight has shape [48, 32], base has [64, 32]", Mismatch(baseModel, narrow));
    }

    [Fact]
    public void MissingExtraAndNonFloatTensorsAreNamed()
    {
        using var temp = new TempDirectory();
        string baseModel = Write(temp, "base", Spec);
        string missing = Write(temp, "missing", Spec, w => w.Where(t => t.Name != "model.layers.1.self_attn.k_proj.weight").ToList());
        Assert.Equal($"model {missing}: tensor model.layers.1.self_attn.k_proj.weight is missing (the base has it)", Mismatch(baseModel, missing));

        string integer = Write(temp, "integer", Spec, w => w.Select(t => t.Name == "model.norm.weight" ? (t.Name, t.Tensor.to(torch.ScalarType.Int8)) : t).ToList());
        Assert.Equal($"model {integer}: tensor model.norm.weight has dtype I8, base has F32", Mismatch(baseModel, integer));

        // A tied base does not read lm_head.weight; an untied source does: that is an extra tensor.
        string tiedBase = Write(temp, "tied", Spec with { TieWordEmbeddings = true });
        Assert.Equal($"model {baseModel}: tensor lm_head.weight is not in the base", Mismatch(tiedBase, baseModel));
    }

    [Fact]
    public void AStoredHeadBesideTiedEmbeddingsIsIgnoredAsTheMergeIgnoresIt()
    {
        using var temp = new TempDirectory();
        var tied = Spec with { TieWordEmbeddings = true };
        string baseModel = Write(temp, "base", tied);
        string withHead = Write(temp, "head", tied, w => [.. w, ("lm_head.weight", torch.zeros(Spec.VocabSize, Spec.HiddenSize))]);
        Assert.Null(Mismatch(baseModel, withHead));
    }
}
