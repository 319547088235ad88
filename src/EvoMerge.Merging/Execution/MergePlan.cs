using System.Text.Json.Nodes;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// Everything a merge will do, worked out and validated before any output is written: the method, the opened
/// models, the resolved slices, one <see cref="PlannedTensor"/> per output tensor (embeddings, layers in output
/// order, head), the config and tokenizer donors and the output config. Disposing closes the models.
/// </summary>
public sealed class MergePlan : IDisposable
{
    internal MergePlan(MergeRecipe recipe, IMergeMethod method, IReadOnlyList<PlannedModel> models, IReadOnlyList<PlannedSlice> slices,
        IReadOnlyList<PlannedTensor> tensors, PlannedModel configDonor, PlannedModel tokenizerDonor, JsonObject outputConfig)
    {
        Recipe = recipe;
        Method = method;
        Models = models;
        Slices = slices;
        Tensors = tensors;
        ConfigDonor = configDonor;
        TokenizerDonor = tokenizerDonor;
        OutputConfig = outputConfig;
    }

    /// <summary>What the recipe sets that mergekit ignores: unknown keys (<see cref="MergeRecipe.Warnings"/>), then parameters the method ignores (see <see cref="ParameterResolver.Warnings"/>) and plan findings, in recipe order.</summary>
    public IReadOnlyList<RecipeWarning> Warnings { get; internal init; } = [];

    /// <summary>Architecture warnings (an unknown model_type merged as the standard layout), one line each.</summary>
    public IReadOnlyList<string> ArchitectureWarnings { get; internal init; } = [];

    /// <summary>The errors <c>--strict</c> raises for <see cref="ArchitectureWarnings"/>, in the same order.</summary>
    internal IReadOnlyList<ModelConfigException> ArchitectureErrors { get; init; } = [];

    /// <summary>
    /// Hands each <see cref="ArchitectureWarnings"/> line to <paramref name="warn"/>, or, when <paramref name="strict"/>,
    /// throws the first as a config error naming config.json and <c>model_type</c>.
    /// </summary>
    public void ReportArchitectureWarnings(bool strict, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(warn);
        if (strict && ArchitectureErrors.Count > 0) throw ArchitectureErrors[0];
        foreach (string warning in ArchitectureWarnings) warn(warning);
    }

    /// <summary>The output vocabulary built from the recipe's tokenizer settings; null without them.</summary>
    public Vocabulary.OutputVocabulary? Vocabulary { get; internal init; }

    /// <summary>What the vocabulary handling warns about (reported when the merge runs, and by a dry run).</summary>
    public IReadOnlyList<string> VocabularyWarnings { get; internal init; } = [];

    /// <summary>The recipe planned.</summary>
    public MergeRecipe Recipe { get; }

    /// <summary>The merge method.</summary>
    public IMergeMethod Method { get; }

    /// <summary>Every model directory the plan opened (inputs and donors), in the order first named.</summary>
    public IReadOnlyList<PlannedModel> Models { get; }

    /// <summary>The slices with resolved layer ranges.</summary>
    public IReadOnlyList<PlannedSlice> Slices { get; }

    /// <summary>The output tensors in write order.</summary>
    public IReadOnlyList<PlannedTensor> Tensors { get; }

    /// <summary>The model whose config.json the output config starts from (base_model, else the first listed model).</summary>
    public PlannedModel ConfigDonor { get; }

    /// <summary>The model whose tokenizer and generation files are copied (tokenizer_source, else the config donor).</summary>
    public PlannedModel TokenizerDonor { get; }

    /// <summary>The output config.json: the donor's with num_hidden_layers and torch_dtype updated.</summary>
    public JsonObject OutputConfig { get; }

    /// <summary>Number of output layers (the sum of the slice lengths).</summary>
    public int LayerCount => Slices.Sum(s => s.Length);

    /// <summary>Name, dtype and shape of every output tensor, for a streaming writer.</summary>
    public IReadOnlyList<TensorSpec> OutputSpecs =>
        Tensors.Select(t => new TensorSpec(t.Name, DTypes.FromScalarType(t.OutputDType), t.Shape)).ToArray();

    /// <summary>Bytes of input tensor data the merge reads (as stored).</summary>
    public long InputBytes => Tensors.Sum(t => t.Inputs.Sum(i => i.Model.Directory.Weights.Info(i.TensorName).ByteLength));

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var model in Models) model.Directory.Dispose();
    }
}
