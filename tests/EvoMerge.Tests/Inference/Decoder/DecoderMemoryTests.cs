using EvoMerge.Inference;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>Thousands of forward passes leave no native tensors behind.</summary>
public sealed class DecoderMemoryTests
{
    [Fact]
    public void Live_tensor_count_stays_flat_over_2000_forward_passes()
    {
        using var directory = new TinyModelDirectory(DecoderTestModels.Spec("qwen3-qk-norm-head-dim"));
        using var decoder = DecoderModel.Load(ModelDirectory.Open(directory.Path));
        int[] context = DecoderTestModels.Tokens(6, 64, 1);
        LogLikelihoodRequest[] requests = [new(context, [1, 2]), new(context, [3]), new([5, 6], [7, 8, 9])];
        var ids = torch.tensor(DecoderTestModels.Tokens(16, 64, 2).Select(t => (long)t).ToArray(), [2, 8]);
        var mask = torch.tensor(new long[] { 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, [2, 8]);

        void Pass(int i)
        {
            if (i % 20 == 0) decoder.LogLikelihood(requests);
            else if (i % 20 == 1) decoder.Generate(context, 3);
            else decoder.Logits(ids, mask).Dispose();
        }

        for (int i = 0; i < 40; i++) Pass(i);
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 2000; i++) Pass(i);
        long after = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.Equal(before, after);
        ids.Dispose();
        mask.Dispose();
    }
}
