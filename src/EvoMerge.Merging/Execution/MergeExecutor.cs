using System.Diagnostics;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// Executes a <see cref="MergePlan"/> tensor by tensor: reads each input into a reused buffer (cast to the compute
/// dtype), calls the method with a generator seeded for that tensor alone, casts the result to the output dtype and
/// hands it to a sink. Every input tensor is checked for NaN and ±∞ on its first read (refused unless
/// <see cref="MergeExecutionOptions.AllowNonFiniteInputs"/>). Peak memory is about one buffer per input plus the method's temporaries and one output
/// buffer, all sized by the largest tensor.
/// </summary>
public sealed class MergeExecutor : IDisposable
{
    private const int OutputSlot = -1;
    private const int ResultSlot = -3;

    private readonly MergePlan _plan;
    private readonly MergeExecutionOptions _options;
    private readonly InputTensorReader _reader;
    private readonly bool _ownsReader;
    private readonly long _bytesBefore;
    private readonly HashSet<(string File, string Tensor)> _checked = [];
    private readonly MergeFactorCache? _planningCache;
    private LayerStatistics? _statistics;
    private bool _statisticsComputed;

    /// <summary>
    /// Creates an executor for a plan. Pass a <paramref name="reader"/> to reuse its buffers across merges (it stays
    /// the caller's to dispose); otherwise the executor owns one. Buffers are allocated on first use.
    /// </summary>
    public MergeExecutor(MergePlan plan, MergeExecutionOptions? options = null, InputTensorReader? reader = null)
    {
        _plan = plan;
        _options = options ?? new MergeExecutionOptions();
        _ownsReader = reader is null;
        _reader = reader ?? new InputTensorReader();
        _reader.Reserve(plan.Tensors.Count == 0 ? 1 : plan.Tensors.Max(t => t.ElementCount));
        _bytesBefore = _reader.BytesRead;
        if (_options.Factors is null && plan.Method is IInterLayerMergeMethod && _options.PlanningCacheBytes > 0)
            _planningCache = new MergeFactorCache(_options.PlanningCacheBytes);
    }

    /// <summary>The caller's factor cache, else the executor's own for an inter-layer method (see <see cref="MergeExecutionOptions.PlanningCacheBytes"/>).</summary>
    private MergeFactorCache? Factors => _options.Factors ?? _planningCache;

    /// <summary>Input bytes this executor has read so far.</summary>
    public long BytesRead => _reader.BytesRead - _bytesBefore;

    /// <summary>Merges every planned tensor into <paramref name="sink"/>, then completes the sink.</summary>
    public void Run(IMergedTensorSink sink)
    {
        var clock = Stopwatch.StartNew();
        foreach (string warning in _plan.VocabularyWarnings) _options.Warn?.Invoke(warning);
        for (int i = 0; i < _plan.Tensors.Count; i++)
        {
            _options.Cancellation.ThrowIfCancellationRequested();
            var tensor = _plan.Tensors[i];
            using (var scope = torch.NewDisposeScope())
            {
                sink.Accept(tensor, Merge(tensor));
            }
            _options.Progress?.Invoke(new MergeProgress(i + 1, _plan.Tensors.Count, BytesRead, clock.Elapsed, tensor.Name));
        }
        sink.Complete();
    }

    /// <summary>
    /// Merges one planned tensor and returns it in the output dtype. The result is registered on the caller's dispose
    /// scope and may be a view of a reused buffer: valid until the next call. For an <see cref="IInterLayerMergeMethod"/>
    /// the first call first reads every input once for the method's statistics (<see cref="LayerStatisticsPass"/>).
    /// </summary>
    public torch.Tensor Merge(PlannedTensor tensor)
    {
        var method = _plan.Method;
        if (!_statisticsComputed)
        {
            _statistics = LayerStatisticsPass.Compute(method, _plan.Tensors, t =>
            {
                _options.Cancellation.ThrowIfCancellationRequested();
                return Inputs(t);
            }, _options.ProxyActivations, Factors);
            _statisticsComputed = true;
        }
        var (baseInput, models) = Inputs(tensor);
        var destination = _reader.Scratch(ResultSlot, tensor.ComputeDType, tensor.Shape);
        var merged = PlannedTensorMerge.Run(method, tensor, baseInput, models, _options.Seed, destination, _options.ProxyActivations, _statistics, Factors);
        if (merged.dtype == tensor.OutputDType) return merged;
        var output = _reader.Scratch(OutputSlot, tensor.OutputDType, tensor.Shape);
        output.copy_(merged);
        return output;
    }

    private (MergeInput? Base, IReadOnlyList<MergeInput> Models) Inputs(PlannedTensor tensor)
    {
        int slot = 0;
        var baseInput = tensor.Base is { } b ? Load(slot++, b, tensor) : null;
        var models = new List<MergeInput>(tensor.Models.Count);
        foreach (var input in tensor.Models) models.Add(Load(slot++, input, tensor));
        return tensor.Rows is { } rows ? rows.Apply(tensor, baseInput, models) : (baseInput, models);
    }

    private MergeInput Load(int slot, PlannedInput input, PlannedTensor tensor)
    {
        var weights = input.Model.Directory.Weights;
        var read = _reader.Read(slot, weights, input.TensorName, tensor.ComputeDType);
        CheckFinite(weights.FileOf(input.TensorName).Path, input.TensorName, read);
        return new(input.Model.Name, read, input.Parameters);
    }

    /// <summary>Refuses (or, when allowed, warns once about) an input tensor holding NaN or ±∞; each input tensor is checked once.</summary>
    private void CheckFinite(string file, string name, torch.Tensor values)
    {
        if (!_checked.Add((file, name)) || !NonFiniteValues.In(values)) return;
        if (!_options.AllowNonFiniteInputs)
            throw new InvalidDataException($"{file}: tensor '{name}' holds NaN or infinite values (evomerge merge --allow-nonfinite merges it anyway)");
        _options.Warn?.Invoke($"{file}: tensor '{name}' holds NaN or infinite values; merged anyway (--allow-nonfinite)");
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _planningCache?.Dispose();
        if (_ownsReader) _reader.Dispose();
    }
}
