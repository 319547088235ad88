namespace EvoMerge.Merging;

/// <summary>What a merge method does with <c>base_model</c>.</summary>
public enum BaseModelRule
{
    /// <summary>The method needs a base model (task-vector methods, slerp, model_stock, …).</summary>
    Required,
    /// <summary>The method uses a base model when one is given (nuslerp, multislerp).</summary>
    Optional,
    /// <summary>The base model is just another input (linear, karcher, passthrough).</summary>
    Ignored,
}
