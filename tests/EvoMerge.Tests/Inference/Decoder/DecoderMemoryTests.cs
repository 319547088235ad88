using EvoMerge.Inference;
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
        using var decoder = directory.Load();
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

    [Fact]
    public void A_model_loaded_inside_a_dispose_scope_outlives_the_scope()
    {
        using var directory = new TinyModelDirectory(DecoderTestModels.Spec("llama-gqa"));
        DecoderModel decoder;
        using (torch.NewDisposeScope()) decoder = directory.Load();
        using (decoder)
        {
            using var scope = torch.NewDisposeScope();
            var logits = decoder.Logits(torch.tensor(new long[] { 1, 2, 3 }, [1, 3]));
            Assert.True(logits.isfinite().all().item<bool>());
            Assert.All(decoder.Parameters.Values, p => Assert.False(p.IsInvalid));
        }
    }
}
