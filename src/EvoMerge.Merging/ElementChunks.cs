using TorchSharp;

namespace EvoMerge.Merging;

/// <summary>
/// Runs an element-wise loop over [0, n) in fixed chunks on as many threads as torch is allowed to use, so hand-written
/// kernels use the same cores as torch's own and nothing more. Chunk boundaries do not depend on the thread count;
/// callers must only write per-element results (or combine order-independent counts), so results never depend on it.
/// </summary>
internal static class ElementChunks
{
    /// <summary>Elements per work item.</summary>
    public const int Size = 1 << 16;

    /// <summary>Calls <paramref name="body"/>(start, end) for every chunk.</summary>
    public static void For(long n, Action<long, long> body)
    {
        long chunks = (n + Size - 1) / Size;
        int threads = Math.Max(1, torch.get_num_threads());
        if (chunks <= 1 || threads == 1)
        {
            for (long c = 0; c < chunks; c++) body(c * Size, Math.Min(n, (c + 1) * Size));
            return;
        }
        Parallel.For(0L, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, c => body(c * Size, Math.Min(n, (c + 1) * Size)));
    }

    /// <summary>
    /// Like <see cref="For(long, Action{long, long})"/>, with one accumulator per worker created by
    /// <paramref name="create"/> and handed to <paramref name="combine"/> (under a lock) when the worker is done.
    /// </summary>
    public static void For<TLocal>(long n, Func<TLocal> create, Action<long, long, TLocal> body, Action<TLocal> combine)
    {
        long chunks = (n + Size - 1) / Size;
        int threads = Math.Max(1, torch.get_num_threads());
        if (chunks <= 1 || threads == 1)
        {
            var local = create();
            for (long c = 0; c < chunks; c++) body(c * Size, Math.Min(n, (c + 1) * Size), local);
            combine(local);
            return;
        }
        var gate = new Lock();
        Parallel.For(0L, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, create,
            (c, _, local) =>
            {
                body(c * Size, Math.Min(n, (c + 1) * Size), local);
                return local;
            },
            local =>
            {
                lock (gate) combine(local);
            });
    }
}
