using EvoMerge.Merging.Sparsification;
using TorchSharp;

namespace EvoMerge.Merging;

/// <summary>One input model's tensor for the output tensor being merged, with its resolved per-model parameters.</summary>
/// <param name="Model">The model's name as written in the recipe.</param>
/// <param name="Tensor">The tensor, already cast to the compute dtype.</param>
/// <param name="Parameters">Per-model parameters resolved for this tensor (defaults applied).</param>
/// <param name="Magnitudes">Optional precomputed magnitude order of this model's task vector (see
/// <see cref="MagnitudeOrder"/>); the search builds it once per source tensor so selection for any density costs no
/// sort. It must describe exactly the task vector the method computes (this tensor minus the base's).</param>
public sealed record MergeInput(string Model, torch.Tensor Tensor, ParameterValues Parameters, MagnitudeOrder? Magnitudes = null);
