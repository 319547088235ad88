using TorchSharp;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// The frame shared by the subspace methods (tsv, iso_c, iso_cts, esm). For base B and models X_t the task updates
/// are Δ_t = X_t − B, formed in fp32 (fp64 when the compute dtype is fp64). A 2-D tensor (an embedding or lm_head
/// only with <c>include_embeddings</c>, default false) becomes <c>B + α·ΔW</c> with ΔW from the method's rule on the
/// singular structure of the updates; every other tensor (norms, biases, embeddings by default) falls back to task
/// arithmetic, <c>B + α·Σ_t Δ_t</c>. <c>alpha</c> (default 1.0) is the global scale. The methods take no per-model
/// weights: the papers weigh tasks through the spectrum, not by coefficients.
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
            MergeParameter.Number("alpha", ParameterScope.Global, 1.0),
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

    /// <summary>Merges one tensor (see the class summary); the result has the compute dtype.</summary>
    public torch.Tensor Merge(MergeContext context)
    {
        using var scope = torch.NewDisposeScope();
        using var scalars = new HeldScalars();
        var baseInput = context.RequireBase(Name);
        var b = baseInput.Tensor;
        if (context.Models.Count == 0)
            return b.clone().MoveToOuterDisposeScope();
        double alpha = ParameterLookup.Global(context, "alpha");
        bool matrix = b.dim() == 2 && (!context.IsEmbedding || ParameterLookup.GlobalFlag(context, "include_embeddings"));
        var work = b.dtype == torch.ScalarType.Float64 ? torch.ScalarType.Float64 : torch.ScalarType.Float32;
        var baseWork = b.to_type(work);
        var deltas = context.Models.Select(m => InputAlignment.ToBaseShape(context, baseInput, m).to_type(work) - baseWork).ToList();
        var update = matrix ? Update(context, deltas) : deltas.Aggregate((sum, d) => sum + d);
        if (alpha != 1.0)
            update = update.mul(scalars.Hold(alpha));
        return (baseWork + update).to_type(b.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// ΔW of one 2-D tensor from the task updates (each [d_out, d_in], in the work dtype). Runs inside the caller's
    /// dispose scope; invalid parameters are <see cref="MergeException"/>s naming the tensor.
    /// </summary>
    protected abstract torch.Tensor Update(MergeContext context, IReadOnlyList<torch.Tensor> deltas);
}
