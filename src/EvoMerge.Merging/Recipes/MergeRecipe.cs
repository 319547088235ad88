using TorchSharp;

namespace EvoMerge.Merging.Recipes;

/// <summary>
/// A mergekit-style merge recipe as read from YAML, before any model is opened. A <c>models:</c> recipe is held as
/// one slice whose sources have no layer range (all layers); a <c>base_model</c> not listed there has been added as
/// a source without parameters, as mergekit does.
/// </summary>
public sealed record MergeRecipe
{
    /// <summary>The recipe file as named by the caller (used in messages).</summary>
    public required string File { get; init; }

    /// <summary>The recipe's YAML text, saved with merged models.</summary>
    public required string Text { get; init; }

    /// <summary><c>merge_method</c>.</summary>
    public required string MergeMethod { get; init; }

    /// <summary>The line of <c>merge_method</c>.</summary>
    public required int MergeMethodLine { get; init; }

    /// <summary>Top-level <c>base_model</c>, when given.</summary>
    public ModelReference? BaseModel { get; init; }

    /// <summary>Output slices in order (one for a <c>models:</c> recipe).</summary>
    public required IReadOnlyList<RecipeSlice> Slices { get; init; }

    /// <summary>Top-level <c>parameters</c>.</summary>
    public required RecipeParameters Parameters { get; init; }

    /// <summary><c>dtype</c>: the dtype inputs are cast to and merged in (null: each tensor's stored dtype).</summary>
    public torch.ScalarType? DType { get; init; }

    /// <summary><c>out_dtype</c>: the dtype written (null: <see cref="DType"/>, else the stored dtype).</summary>
    public torch.ScalarType? OutDType { get; init; }

    /// <summary>
    /// <c>tokenizer_source: MODEL</c> (or <c>tokenizer.source: MODEL</c>): the model whose vocabulary and tokenizer
    /// files the output gets. Null otherwise: the tokenizer comes from the config donor (base_model, else the first
    /// listed model), extended for <c>union</c>.
    /// </summary>
    public ModelReference? TokenizerSource { get; init; }

    /// <summary><c>tokenizer_source</c> or the <c>tokenizer:</c> block; null when neither is given (mergekit's legacy vocabulary handling).</summary>
    public Vocabulary.TokenizerSettings? Tokenizer { get; init; }

    /// <summary>
    /// <c>chat_template</c> as written: a bundled name, <c>auto</c> or a Jinja template; <see cref="ChatTemplateResolver"/>
    /// gives the text written into the output's tokenizer_config.json.
    /// </summary>
    public string? ChatTemplate { get; init; }

    /// <summary>Where the recipe text names models by relative paths (resolved against the recipe's directory), in text order.</summary>
    public IReadOnlyList<ModelPathSpan> RelativeModelPaths { get; init; } = [];

    /// <summary>
    /// The recipe text with every relative model path rewritten relative to <paramref name="directory"/> (as a
    /// double-quoted YAML string), so the text read from there names the same models; everything else is unchanged.
    /// </summary>
    public string TextRelativeTo(string directory)
    {
        var text = new System.Text.StringBuilder(Text);
        foreach (var span in RelativeModelPaths.OrderByDescending(s => s.Start))
        {
            string relative = System.IO.Path.GetRelativePath(directory, span.Path);
            if (span.Adapter is { } adapter) relative += "+" + System.IO.Path.GetRelativePath(directory, adapter);
            string quoted = "\"" + relative.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
            text.Remove(span.Start, span.End - span.Start).Insert(span.Start, quoted);
        }
        return text.ToString();
    }
    /// <summary><c>proxy_tasks:</c> for esm, the eval task whose prompts stand for each model's task (empty when absent).</summary>
    public IReadOnlyList<ProxyTask> ProxyTasks { get; init; } = [];

    /// <summary><c>proxy_prompts:</c> prompts per proxy task, 1 to 32 (null: 32).</summary>
    public int? ProxyPrompts { get; init; }

    /// <summary>
    /// Keys the recipe sets that mergekit ignores (unknown keys at any level), in line order; the planner reports them
    /// with its parameter warnings (<c>--strict</c> makes them errors).
    /// </summary>
    public IReadOnlyList<RecipeWarning> Warnings { get; init; } = [];

    /// <summary>The first model the recipe lists (first source of the first slice).</summary>
    public ModelReference FirstModel => Slices[0].Sources[0].Model;

    /// <summary>The config donor: <c>base_model</c> when given, else the first listed model (deterministic).</summary>
    public ModelReference ConfigDonor => BaseModel ?? FirstModel;
}
