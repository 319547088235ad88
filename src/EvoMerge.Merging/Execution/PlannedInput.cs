namespace EvoMerge.Merging.Execution;

/// <summary>One input of a planned output tensor: which model, which of its tensors, and the resolved per-model parameters.</summary>
public sealed record PlannedInput(PlannedModel Model, string TensorName, ParameterValues Parameters);
