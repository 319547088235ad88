using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Tensors;
using EvoMerge.Tests.Inference.Decoder;
using TorchSharp;

namespace EvoMerge.Tests.Evaluation;

/// <summary>
/// A tiny random decoder (projections scaled up so its distributions are far from uniform) with the test
/// byte-level tokenizer, loaded; plus an independent scorer: log-softmax of the model's logits over one unpadded
/// full sequence, summed at the continuation positions, in double precision.
/// </summary>
internal sealed class EvalTestModel : IDisposable
{
    private readonly TinyModelDirectory _directory;

    public EvalTestModel(bool addBosToken = false, bool withBos = true, int maxPositionEmbeddings = 512, long seed = 11)
    {
        var spec = new TinyDecoderSpec { VocabSize = TestTokenizerFiles.VocabSize + 4, MaxPositionEmbeddings = maxPositionEmbeddings };
        _directory = new TinyModelDirectory(spec, seed, projectionScale: 4f);
        TestTokenizerFiles.Write(_directory.Path, addBosToken, withBos);
        Model = DecoderModel.Load(ModelDirectory.Open(_directory.Path));
        Tokenizer = TextTokenizer.Load(_directory.Path);
    }

    public string Path => _directory.Path;

    public DecoderModel Model { get; }

    public TextTokenizer Tokenizer { get; }

    /// <summary>Σ log p(continuation[j] | context, continuation[..j]) from one forward pass over the whole sequence.</summary>
    public (double LogLikelihood, bool IsGreedy) Score(IReadOnlyList<int> context, IReadOnlyList<int> continuation)
    {
        var logProbabilities = LogSoftmaxRows(context.Concat(continuation).ToList());
        double total = 0;
        bool greedy = true;
        for (int j = 0; j < continuation.Count; j++)
        {
            var row = logProbabilities[context.Count - 1 + j];
            total += row[continuation[j]];
            greedy &= Array.IndexOf(row, row.Max()) == continuation[j];
        }
        return (total, greedy);
    }

    /// <summary>Greedy continuation by repeated full forward passes (no KV cache, no batching).</summary>
    public List<int> GreedyTokens(IReadOnlyList<int> prompt, int maxNewTokens, Func<List<int>, bool> stop)
    {
        var sequence = prompt.ToList();
        var generated = new List<int>();
        for (int step = 0; step < maxNewTokens; step++)
        {
            var last = LogSoftmaxRows(sequence)[^1];
            int next = Array.IndexOf(last, last.Max());
            generated.Add(next);
            sequence.Add(next);
            if (stop(generated)) break;
        }
        return generated;
    }

    /// <summary>Per position, log-softmax over the vocabulary (double) of the model's fp32 logits.</summary>
    public double[][] LogSoftmaxRows(IReadOnlyList<int> tokens)
    {
        using var scope = torch.NewDisposeScope();
        var ids = torch.tensor(tokens.Select(t => (long)t).ToArray(), [1, tokens.Count]);
        var logits = Model.Logits(ids).squeeze(0).to(torch.ScalarType.Float64);
        var flat = logits.data<double>().ToArray();
        int vocabulary = (int)logits.shape[1];
        var rows = new double[tokens.Count][];
        for (int t = 0; t < tokens.Count; t++)
        {
            var row = flat.AsSpan(t * vocabulary, vocabulary);
            double max = double.NegativeInfinity;
            foreach (double v in row) max = Math.Max(max, v);
            double sum = 0;
            foreach (double v in row) sum += Math.Exp(v - max);
            double logSum = max + Math.Log(sum);
            rows[t] = row.ToArray().Select(v => v - logSum).ToArray();
        }
        return rows;
    }

    public void Dispose()
    {
        Model.Dispose();
        _directory.Dispose();
    }
}
