using TorchSharp;

namespace EvoMerge.Inference;

/// <summary>
/// Keys and values of every layer for the positions already run, preallocated as <c>[B, kv_heads, capacity,
/// head_dim]</c> so each step writes in place instead of concatenating. Keys are stored after rotary embedding.
/// A routed model with sequence routing also keeps each row's routing weights here, decided by the context.
/// </summary>
internal sealed class KeyValueCache : IDisposable
{
    private readonly torch.Tensor[] _keys;
    private readonly torch.Tensor[] _values;

    private KeyValueCache(torch.Tensor[] keys, torch.Tensor[] values, long length)
    {
        _keys = keys;
        _values = values;
        Length = length;
    }

    /// <summary>Positions held (the same for every row; padding is masked, not skipped).</summary>
    public long Length { get; private set; }

    /// <summary>Each row's sequence-routing weights <c>[B, 1, experts]</c>, once the context has been run; null otherwise.</summary>
    public torch.Tensor? Routing { get; private set; }

    /// <summary>Keeps a copy of the rows' sequence-routing weights for the positions that follow.</summary>
    public void HoldRouting(torch.Tensor weights)
    {
        Routing?.Dispose();
        Routing = weights.clone().DetachFromDisposeScope();
    }

    /// <summary>Positions the buffers can hold.</summary>
    public long Capacity => _keys[0].shape[2];

    /// <summary>An empty cache for <paramref name="batch"/> rows of up to <paramref name="capacity"/> positions.</summary>
    public static KeyValueCache Create(int layers, long batch, long keyValueHeads, long capacity, long headDim, torch.ScalarType dtype)
    {
        var keys = new torch.Tensor[layers];
        var values = new torch.Tensor[layers];
        for (int i = 0; i < layers; i++)
        {
            keys[i] = torch.empty([batch, keyValueHeads, capacity, headDim], dtype).DetachFromDisposeScope();
            values[i] = torch.empty([batch, keyValueHeads, capacity, headDim], dtype).DetachFromDisposeScope();
        }
        return new KeyValueCache(keys, values, 0);
    }

    /// <summary>
    /// Stores layer <paramref name="layer"/>'s keys and values <c>[B, kv_heads, T, head_dim]</c> after the held
    /// positions and returns views of everything held so far including them. Call <see cref="Advance"/> once all
    /// layers have been written.
    /// </summary>
    public (torch.Tensor Keys, torch.Tensor Values) Write(int layer, torch.Tensor keys, torch.Tensor values)
    {
        long count = keys.shape[2];
        if (Length + count > Capacity)
            throw new InvalidOperationException($"key/value cache holds {Capacity} positions; {Length} + {count} do not fit");
        _keys[layer].narrow(2, Length, count).copy_(keys);
        _values[layer].narrow(2, Length, count).copy_(values);
        return (_keys[layer].narrow(2, 0, Length + count), _values[layer].narrow(2, 0, Length + count));
    }

    /// <summary>Marks <paramref name="count"/> more positions as held.</summary>
    public void Advance(long count) => Length += count;

    /// <summary>
    /// A new cache whose row r is this cache's row <c>rows[r]</c> (rows may repeat), with room for
    /// <paramref name="capacity"/> positions; used to run several continuations after one shared context.
    /// </summary>
    public KeyValueCache SelectRows(torch.Tensor rows, long capacity)
    {
        long batch = rows.shape[0];
        var keys = new torch.Tensor[_keys.Length];
        var values = new torch.Tensor[_values.Length];
        for (int i = 0; i < _keys.Length; i++)
        {
            var shape = _keys[i].shape;
            keys[i] = torch.empty([batch, shape[1], capacity, shape[3]], _keys[i].dtype).DetachFromDisposeScope();
            values[i] = torch.empty([batch, shape[1], capacity, shape[3]], _values[i].dtype).DetachFromDisposeScope();
            using var scope = torch.NewDisposeScope();
            keys[i].narrow(2, 0, Length).copy_(_keys[i].narrow(2, 0, Length).index_select(0, rows));
            values[i].narrow(2, 0, Length).copy_(_values[i].narrow(2, 0, Length).index_select(0, rows));
        }
        var selected = new KeyValueCache(keys, values, Length);
        if (Routing is not null)
        {
            using var scope = torch.NewDisposeScope();
            selected.HoldRouting(Routing.index_select(0, rows));
        }
        return selected;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _keys) t.Dispose();
        foreach (var t in _values) t.Dispose();
        Routing?.Dispose();
    }
}
