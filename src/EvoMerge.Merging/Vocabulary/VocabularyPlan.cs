using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Methods;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;

namespace EvoMerge.Merging.Vocabulary;

/// <summary>
/// How a plan treats vocabularies: with tokenizer settings, the built <see cref="OutputVocabulary"/> and a
/// <see cref="PermutedEmbeddingRows"/> for every embedding and head tensor; without, mergekit's legacy handling of
/// embedding and head tensors whose row counts differ (<see cref="LegacyEmbeddingRows"/>, a warning). Also the
/// output's vocab_size: the vocabulary's row count, or the legacy row count where it differs from the config donor's.
/// </summary>
public sealed class VocabularyPlan
{
    private readonly List<string> _warnings = [];
    private readonly string _recipeFile;

    /// <summary>Builds the output vocabulary when <paramref name="recipe"/> has tokenizer settings (see <see cref="OutputVocabulary.Build"/>).</summary>
    public VocabularyPlan(MergeRecipe recipe, PlannedModel baseModel, IReadOnlyList<PlannedModel> models, PlannedModel? named)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        _recipeFile = recipe.File;
        if (recipe.Tokenizer is { } settings) Vocabulary = OutputVocabulary.Build(settings, baseModel, models, named, _warnings.Add);
    }

    /// <summary>The built vocabulary; null without tokenizer settings (or when its source has no tokenizer.json).</summary>
    public OutputVocabulary? Vocabulary { get; }

    /// <summary>What the vocabulary handling warns about (tokens in no model, legacy truncation, missing tokenizer files).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>The output config's vocab_size when it changes (null: the donor's stays).</summary>
    public int? OutputVocabSize { get; private set; }

    /// <summary>
    /// Whether two inputs of a tensor may differ in shape: a vocabulary-indexed tensor (<paramref name="role"/> from
    /// the models' layout, so an inferred layout's <c>model.language_model.embed_tokens.weight</c> counts) whose row
    /// counts alone differ.
    /// </summary>
    public static bool RowsMayDiffer(TensorRole role, TensorInfo a, TensorInfo b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return role.IsEmbedding && a.Shape.Length == 2 && b.Shape.Length == 2 && a.Shape[1] == b.Shape[1];
    }

    /// <summary>
    /// Sets the output shape and row mapping of an embedding or head tensor (others are returned unchanged).
    /// <paramref name="basePath"/> is the slice's base model; <paramref name="models"/> every opened model.
    /// </summary>
    public PlannedTensor Apply(PlannedTensor tensor, IMergeMethod method, string? basePath, IReadOnlyList<PlannedModel> models)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!tensor.Role.IsEmbedding || tensor.Shape.Length != 2) return tensor;
        var inputs = tensor.Inputs.ToList();
        if (Vocabulary is { } vocabulary)
        {
            var paths = inputs.Select(i => i.Model.Path).ToList();
            var columns = inputs.Select(i => i.Model.Directory.Weights.Info(i.TensorName).Shape[1]).Distinct().ToList();
            if (columns.Count > 1)
                throw new RecipeException(_recipeFile, inputs[0].Model.Line, $"tensor '{tensor.Name}' has different embedding sizes in the models ({string.Join(", ", inputs.Select(i => $"'{i.Model.Name}': {i.Model.Directory.Weights.Info(i.TensorName).ShapeText}"))})");
            var rows = new PermutedEmbeddingRows(vocabulary, paths, basePath is not null && paths.Contains(basePath) ? basePath : null, models,
                _recipeFile, tensor.Name, _warnings.Add);
            OutputVocabSize = vocabulary.RowCount;
            return tensor with { Shape = [vocabulary.RowCount, columns[0]], Rows = rows };
        }

        var counts = inputs.Select(i => (Input: i, Rows: i.Model.Directory.Weights.Info(i.TensorName).Shape[0])).ToList();
        if (counts.Select(c => c.Rows).Distinct().Count() == 1) return tensor;
        long target;
        if (method is GeneralizedTaskArithmetic && tensor.Base is { } b)
        {
            target = counts[0].Rows;
            var shorter = counts.FirstOrDefault(c => c.Rows < target);
            if (shorter.Input is not null)
                throw new RecipeException(_recipeFile, shorter.Input.Model.Line,
                    $"tensor '{tensor.Name}' has {shorter.Rows} rows in model '{shorter.Input.Model.Name}' but {target} in the base model '{b.Model.Name}'; {method.Name} takes the base's rows (as mergekit, which fails here too); set tokenizer_source to merge the vocabularies");
        }
        else
        {
            target = counts.Min(c => c.Rows);
        }
        _warnings.Add($"{tensor.Name}: row counts differ between models ({string.Join(", ", counts.Select(c => $"'{c.Input.Model.Name}': {c.Rows}"))}) and the recipe has no tokenizer settings; "
            + $"each model's first {target} rows are merged (as mergekit does) and vocab_size is {target}; set tokenizer_source to merge the vocabularies");
        OutputVocabSize = (int)target;
        return tensor with { Shape = [target, tensor.Shape[1]], Rows = new LegacyEmbeddingRows(target) };
    }
}
