using EvoMerge.Merging;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>Checks every registered method: no leaked tensors, shape and dtype kept, inputs left untouched.</summary>
public sealed class AllMethodsTests
{
    public static TheoryData<string> Names => new(MergeMethodRegistry.Default.Names);

    /// <summary>A valid case for any method, built from its declaration.</summary>
    private static (MergeCase Case, torch.Tensor[] Inputs) Standard(string name, torch.ScalarType dtype)
    {
        var merge = MergeCase.For(name);
        var method = merge.Method;
        var generator = new torch.Generator(99, torch.CPU);
        torch.Tensor Next() => Tensors.Random(generator, 8, 16).to(dtype);

        var perModel = new List<(string, double)>();
        if (method.Parameters.Any(p => p.Name == "weight"))
            perModel.Add(("weight", 0.5));
        if (method.Parameters.Any(p => p.Name == "density"))
            perModel.Add(("density", 0.5));
        if (method.Parameters.Any(p => p.Name == "t" && p.Required))
            merge.Global(("t", 0.3));

        var inputs = new List<torch.Tensor>();
        var b = Next();
        if (method.BaseModel != BaseModelRule.Ignored)
        {
            merge.Base(b, [.. perModel]);
            inputs.Add(b);
        }
        int models = method.ModelCount.Max ?? Math.Max(method.ModelCount.Min, 2);
        for (int i = 0; i < models; i++)
        {
            var x = method.BaseModel == BaseModelRule.Ignored ? Next() : b + Next() * 0.1f;
            merge.Model(x, [.. perModel]);
            inputs.Add(x);
        }
        merge.Random = new torch.Generator(7, torch.CPU);
        var moment = torch.eye(16);
        merge.ProxyInputs = _ => moment;
        return (merge, inputs.ToArray());
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Leaves_no_live_tensors_behind(string name)
    {
        using var scope = torch.NewDisposeScope();
        var (merge, _) = Standard(name, torch.ScalarType.Float32);
        var context = merge.Build();
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var result = merge.Method.Merge(context);
        result.Dispose();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Keeps_shape_and_dtype_and_does_not_touch_the_inputs(string name)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var dtype in new[] { torch.ScalarType.Float32, torch.ScalarType.BFloat16 })
        {
            var (merge, inputs) = Standard(name, dtype);
            var copies = inputs.Select(i => i.clone()).ToArray();
            var result = merge.Merge();
            Assert.Equal(dtype, result.dtype);
            Assert.Equal([8L, 16L], result.shape);
            Assert.True(TensorAssert.Values(result).All(float.IsFinite), $"{name} ({dtype}) produced a non-finite value");
            for (int i = 0; i < inputs.Length; i++)
                TensorAssert.Equal(copies[i], inputs[i]);
            result.add_(1);
            for (int i = 0; i < inputs.Length; i++)
                TensorAssert.Equal(copies[i], inputs[i]);
        }
    }
}
