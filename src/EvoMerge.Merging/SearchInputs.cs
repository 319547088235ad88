namespace EvoMerge.Merging;

/// <summary>Which models a search candidate of a method merges.</summary>
public enum SearchInputs
{
    /// <summary>The search's base model and every source (task-vector and subspace methods).</summary>
    BaseAndSources,
    /// <summary>The sources only; the base takes no part (linear).</summary>
    SourcesOnly,
    /// <summary>Two sources, the first one standing as the method's base (slerp interpolates between them).</summary>
    FirstSourceAsBase,
}
