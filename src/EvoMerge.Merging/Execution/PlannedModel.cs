using EvoMerge.Tensors;

namespace EvoMerge.Merging.Execution;

/// <summary>A model directory a plan reads (an input, or the config/tokenizer donor), opened and validated.</summary>
/// <param name="Name">The model's name as first written in the recipe.</param>
/// <param name="Line">The YAML line where it was first named.</param>
/// <param name="Directory">The opened directory (config read, weight headers validated).</param>
public sealed record PlannedModel(string Name, int Line, ModelDirectory Directory)
{
    /// <summary>The directory's full path.</summary>
    public string Path => Directory.Path;
}
