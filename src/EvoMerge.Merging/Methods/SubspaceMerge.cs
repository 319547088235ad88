using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// The frame shared by the subspace methods (tsv, iso_c, iso_cts, esm). For base B and models X_t the task updates
/// are Δ_t = X_t − B, formed in fp32 (fp64 when the compute dtype is fp64). A 2-D tensor (an embedding or lm_head
/// only with <c>include_embeddings</c>, default false) becomes <c>B + α·ΔW</c> with ΔW from the method's rule on the
/// singular structure of the updates; every other tensor (norms, biases, embeddings by default) falls back to task
/// arithmetic, <c>B + α·Σ_t Δ_t</c>. <c>alpha</c> (default 1.0) is the global scale. The methods take no per-model
/// weights: the papers weigh tasks through the spectrum, not by coefficients.
/// Every rule is positively homogeneous (ΔW(c·Δ) = c·ΔW(Δ) for c &gt; 0), so the rule runs on the updates divided by
/// a power of two that brings the largest |element| into [0.5, 1) and the result is multiplied back: exact in
/// floating point, and no square or product inside the rule overflows or underflows whatever the updates' magnitude.
/// Updates that are all zero (models identical to the base in this tensor) give ΔW = 0 without any SVD. A NaN or
/// infinity in an input of a 2-D tensor is a <see cref="MergeException"/> naming the tensor and the model (LAPACK
/// cannot take it), as is an update that overflows the work dtype. In float32 and float64 the result is written into
/// the caller's <see cref="MergeContext.Destination"/> when it fits (the executor's reused buffer, the candidate's own
/// tensor), the fallback of float32 inputs in one fused pass: the same operations in the same order, so the values
/// are bit-identical to forming every temporary, without first-touching new memory for each (the benchmark's
/// embeddings cost 0.2–0.9 s per candidate that way).
/// </summary>
public abstract class SubspaceMerge : IMergeMethod
{
    /// <param name="name">The recipe name.</param>
    /// <param name="own">The method's own parameters, declared after <c>alpha</c> and <c>include_embeddings</c>.</param>
    protected SubspaceMerge(string name, params MergeParameter[] own)
    {
        Name = name;
        Parameters =
        [
            MergeParameter.Number("alpha", ParameterScope.Global, 1.0).Searched(SharedSearchGenes.SubspaceAlpha),
            MergeParameter.Flag("include_embeddings", false),
            .. own,
        ];
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Global alpha (1.0), include_embeddings (false) and the method's own.</summary>
    public IReadOnlyList<MergeParameter> Parameters { get; }

    /// <inheritdoc/>
    public BaseModelRule BaseModel => BaseModelRule.Required;

    /// <inheritdoc/>
    public (int Min, int? Max) ModelCount => (1, null);

    /// <inheritdoc/>
    public bool UsesRandomness => false;

    /// <summary>Base plus the sources; genes: alpha and the method's own.</summary>
    public MethodSearchSupport Search => MethodSearchSupport.TaskVectors;

    /// <summary>Merges one tensor (see the class summary); the result has the compute dtype.</summary>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var b = context.RequireBase(Name).Tensor;
        if (context.Models.Count == 0)
            return b.clone().MoveToOuterDisposeScope();
        double alpha = ParameterLookup.Global(context, "alpha");
        bool matrix = IsMatrix(context);
        if (!matrix && IsFloat32(context, b))
            return Owned(context, FusedTaskArithmetic(context, b.contiguous(), alpha));
        var baseWork = b.to_type(WorkDType(b));
        torch.Tensor update;
        if (matrix)
        {
            var (scaled, exponent) = ScaledUpdates(context);
            if (scaled.Count > 0 && baseWork.dtype == b.dtype)
                return Owned(context, Rebuilt(context, baseWork, Update(context, scaled), exponent, alpha));
            update = scaled.Count == 0 ? torch.zeros_like(baseWork) : TimesPowerOfTwo(Update(context, scaled), exponent);
        }
        else
        {
            update = Updates(context).Aggregate((sum, d) => sum.add(d, ScalarConstants.One));
        }
        if (alpha != 1.0)
            update = update.mul(scalars.Hold(alpha));
        return baseWork.add(update, ScalarConstants.One).to_type(b.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <c>B + α·(ΔW·2^e)</c> in the compute dtype (float32 or float64), written into the context's destination when it
    /// fits, otherwise into one new tensor: the same operations as the general path (ΔW times the two halves of 2^e,
    /// times α, plus B), in place on the output, so the result is bit-identical and <paramref name="update"/> (possibly
    /// a cached tensor) is only read. Registered on the caller's dispose scope.
    /// </summary>
    private static torch.Tensor Rebuilt(MergeContext context, torch.Tensor baseWork, torch.Tensor update, int exponent, double alpha)
    {
        using var scalars = new HeldScalars();
        var output = Output(context, baseWork);
        output.copy_(update);
        if (exponent != 0)
        {
            int half = exponent / 2;
            output.mul_(scalars.Hold(Math.ScaleB(1.0, half)));
            output.mul_(scalars.Hold(Math.ScaleB(1.0, exponent - half)));
        }
        if (alpha != 1.0)
            output.mul_(scalars.Hold(alpha));
        output.add_(baseWork, ScalarConstants.One);
        return output;
    }

    /// <summary>
    /// The task-arithmetic fallback <c>B + α·Σ_t (X_t − B)</c> for float32 CPU inputs in one fused pass
    /// (<see cref="Float32TaskArithmetic"/>, weights 1, λ = α), without full-size temporaries and into the context's
    /// destination when it fits. Bit-identical to the tensor-at-a-time path: the deltas are summed left to right in
    /// float32, multiplied by α rounded to float32 (as torch's float32 product with a scalar) and added to the base.
    /// </summary>
    private static torch.Tensor FusedTaskArithmetic(MergeContext context, torch.Tensor b, double alpha)
    {
        var baseInput = context.Base!;
        var terms = context.Models
            .Select(m => new Float32TaskArithmetic.Term(Address(InputAlignment.ToBaseShape(context, baseInput, m).contiguous()), false, null, null, 1f))
            .ToList();
        var output = Output(context, b);
        Float32TaskArithmetic.Merge(Address(b), terms, b.numel(), electSign: false, normalize: false, weightSum: 1f, alpha, Address(output));
        return output;
    }

    /// <summary>
    /// The context's destination when it is a contiguous CPU tensor of <paramref name="like"/>'s shape and dtype that
    /// shares no memory with an input, otherwise a new tensor (first-touching fresh memory costs as much as the
    /// arithmetic here).
    /// </summary>
    private static torch.Tensor Output(MergeContext context, torch.Tensor like)
    {
        if (context.Destination is { } d && d.dtype == like.dtype && d.device_type == DeviceType.CPU && d.is_contiguous()
            && d.shape.SequenceEqual(like.shape) && !context.Models.Append(context.Base!).Any(input => SharesMemory(input.Tensor, d)))
            return d;
        return torch.empty(like.shape, like.dtype);
    }

    private static bool SharesMemory(torch.Tensor input, torch.Tensor destination) =>
        input.numel() > 0 && input.device_type == DeviceType.CPU && input.is_contiguous() && Address(input) == Address(destination);

    /// <summary>The result for the caller: the destination as it is, a new tensor moved out of the dispose scope.</summary>
    private static torch.Tensor Owned(MergeContext context, torch.Tensor result) =>
        ReferenceEquals(result, context.Destination) ? result : result.MoveToOuterDisposeScope();

    private static bool IsFloat32(MergeContext context, torch.Tensor b) =>
        b.dtype == torch.ScalarType.Float32 && b.device_type == DeviceType.CPU
        && context.Models.All(m => m.Tensor.dtype == torch.ScalarType.Float32 && m.Tensor.device_type == DeviceType.CPU);

    private static nint Address(torch.Tensor contiguous) => Sparsification.MaskedL1Norms.Address(contiguous);

    /// <summary>
    /// ΔW of one 2-D tensor from the task updates (each [d_out, d_in], in the work dtype, scaled by a power of two so
    /// that the largest |element| over all of them is in [0.5, 1); the caller multiplies the result back). Runs inside
    /// the caller's dispose scope; invalid parameters are <see cref="MergeException"/>s naming the tensor.
    /// </summary>
    protected abstract torch.Tensor Update(MergeContext context, IReadOnlyList<torch.Tensor> deltas);

    /// <summary>True when the tensor gets the method's subspace rule: 2-D, and not an embedding unless <c>include_embeddings</c>.</summary>
    private protected bool IsMatrix(MergeContext context) =>
        context.RequireBase(Name).Tensor.dim() == 2
        && (!context.IsEmbedding || ParameterLookup.GlobalFlag(context, "include_embeddings"));

    /// <summary>
    /// The task updates Δ_t times 2^−e, and e: the largest |element| of the scaled updates is in [0.5, 1). No updates
    /// (and e = 0) when every update is zero. Registered on the caller's dispose scope.
    /// </summary>
    private protected (IReadOnlyList<torch.Tensor> Deltas, int Exponent) ScaledUpdates(MergeContext context)
    {
        var deltas = Updates(context);
        double largest = 0.0;
        for (int t = 0; t < deltas.Count; t++)
        {
            double magnitude = deltas[t].abs().max().ToDouble();
            if (!double.IsFinite(magnitude)) throw NonFinite(context, context.Models[t], deltas[t].dtype);
            largest = Math.Max(largest, magnitude);
        }
        if (largest == 0.0) return ([], 0);
        int exponent = Math.ILogB(largest) + 1;
        return (deltas.Select(d => TimesPowerOfTwo(d, -exponent)).ToList(), exponent);
    }

    /// <summary>
    /// <paramref name="x"/>·2^<paramref name="exponent"/>, exact, in two halves so that neither factor leaves the
    /// dtype's range (2^±128 would not fit a float32 scalar).
    /// </summary>
    private protected static torch.Tensor TimesPowerOfTwo(torch.Tensor x, int exponent)
    {
        if (exponent == 0) return x;
        using var scalars = new HeldScalars();
        int half = exponent / 2;
        return x.mul(scalars.Hold(Math.ScaleB(1.0, half))).mul(scalars.Hold(Math.ScaleB(1.0, exponent - half)));
    }

    /// <summary>
    /// The tensors <paramref name="compute"/> returns for this tensor's sources, from the search's
    /// <see cref="MergeContext.Factors"/> when the caller has one (computed once per source tensor and
    /// <paramref name="part"/>), otherwise computed now. <paramref name="part"/> names the intermediate and every
    /// parameter it depends on; the key adds the method, the tensor, the compute dtype and the models. Read-only.
    /// </summary>
    private protected torch.Tensor[] Cached(MergeContext context, string part, Func<torch.Tensor[]> compute)
    {
        if (context.Factors is not { } cache) return compute();
        var baseInput = context.RequireBase(Name);
        string key = string.Join('\u001f', new[] { Name, part, context.TensorName, baseInput.Tensor.dtype.ToString(), baseInput.Model }
            .Concat(context.Models.Select(m => m.Model)));
        return cache.Tensors(key, compute);
    }

    private List<torch.Tensor> Updates(MergeContext context)
    {
        var baseInput = context.RequireBase(Name);
        var work = WorkDType(baseInput.Tensor);
        var baseWork = baseInput.Tensor.to_type(work);
        return context.Models.Select(m => InputAlignment.ToBaseShape(context, baseInput, m).to_type(work) - baseWork).ToList();
    }

    private MergeException NonFinite(MergeContext context, MergeInput model, torch.ScalarType work)
    {
        var baseInput = context.RequireBase(Name);
        foreach (var input in new[] { baseInput, model })
            if (!torch.isfinite(input.Tensor).all().ToBoolean())
                return MergeException.ForTensor(context.TensorName,
                    $"{Name}: '{input.Model}' has non-finite values (NaN or infinity) in this tensor; its SVD cannot be taken");
        return MergeException.ForTensor(context.TensorName,
            $"{Name}: the update of '{model.Model}' (model minus base) overflows {work}; merge with dtype: float64");
    }

    private static torch.ScalarType WorkDType(torch.Tensor b) =>
        b.dtype == torch.ScalarType.Float64 ? torch.ScalarType.Float64 : torch.ScalarType.Float32;
}
