namespace EvoMerge.Search.Genomes;

/// <summary>
/// The mergekit-compatible recipe of a candidate. <see cref="ParameterSpace"/> is the merge (one slice per layer
/// group); <see cref="DataFlow"/>, present with a layer ordering, is a passthrough recipe that stacks the kept layers
/// from the first stage's output (the model <c>merged</c> beside the recipe file) and the source models.
/// <see cref="Hash"/> (SHA-256 of both texts and the merge seed) is the candidate's identity: equal hashes merge to
/// equal weights, so a hash is never scored twice.
/// </summary>
/// <param name="ParameterSpace">Stage 1 recipe text.</param>
/// <param name="DataFlow">Stage 2 recipe text, or null without a layer ordering.</param>
/// <param name="Hash">Lowercase hexadecimal SHA-256.</param>
/// <param name="MergeSeed">Seed the merge's random draws (DARE, DELLA) use; pass it to <c>evomerge merge --seed</c>.</param>
/// <param name="OutputLayers">num_hidden_layers of the merged model.</param>
/// <param name="KeptSlots">With a layer ordering, the slot index of each stage 2 slice (in order); null otherwise.</param>
public sealed record CandidateRecipe(string ParameterSpace, string? DataFlow, string Hash, ulong MergeSeed, int OutputLayers, IReadOnlyList<int>? KeptSlots)
{
    /// <summary>File name of the stage 1 recipe in exports.</summary>
    public const string ParameterSpaceFileName = "merge.yml";

    /// <summary>File name of the stage 2 recipe in exports.</summary>
    public const string DataFlowFileName = "layers.yml";

    /// <summary>Model name (a directory beside the stage 2 recipe) that stage 2 reads stage 1's output from.</summary>
    public const string MergedModelName = "merged";
}
