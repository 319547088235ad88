using TorchSharp;

namespace EvoMerge.Merging;

/// <summary>
/// Proxy input statistics for data-aware merge methods (esm): for a task model and one linear layer of the base
/// model, the second moment <c>XᵀX / N</c> of the inputs X (N tokens × d_in) that the layer receives when a few of the
/// task's prompts run through the base model. That is all the essential subspace needs: the activation shift
/// <c>X·ΔWᵀ</c> has right singular vectors equal to the eigenvectors of <c>ΔW·(XᵀX)·ΔWᵀ</c>. Implementations live above
/// Merging (they run the model) and cache per base and task, so a search pays once.
/// </summary>
public interface IProxyActivations
{
    /// <summary>
    /// <c>XᵀX / N</c> as a [d_in, d_in] fp32 tensor owned by the provider (do not dispose it), for the base tensor
    /// <paramref name="baseTensorName"/> (a linear layer's weight) on the proxy prompts of the model at
    /// <paramref name="modelPath"/>; null when that tensor is not the weight of a linear layer (embed_tokens).
    /// A model without proxy prompts is an <see cref="MergeException"/> naming it.
    /// </summary>
    torch.Tensor? InputSecondMoment(string modelPath, string baseTensorName);
}
