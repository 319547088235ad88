using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Merging;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;

namespace EvoMerge.Search.Proxy;

/// <summary>
/// The proxy activations esm needs (<see cref="IProxyActivations"/>): for each task model, the first
/// <c>promptCount</c> (≤ 32) documents of its eval task (the task's Parquet set, rendered by its YAML; the prompt is
/// the context, or the text of a perplexity task), encoded with the base model's tokenizer as generation prompts, run
/// through the base model in fp32, and every linear layer's input second moment kept (<see cref="LinearInputMoments"/>).
/// Computed on first use per model and kept until disposed, so a search or a merge pays once per task.
/// </summary>
public sealed class TaskProxyActivations : IProxyActivations, IDisposable
{
    /// <summary>The most proxy prompts per task.</summary>
    public const int MaxPrompts = 32;

    private readonly string _baseModel;
    private readonly Dictionary<string, string> _tasks;
    private readonly int _promptCount;
    private readonly Dictionary<string, LinearInputMoments> _moments = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private DecoderModel? _decoder;
    private TextTokenizer? _tokenizer;

    /// <summary>The proxy activations a recipe's <c>proxy_tasks</c> name (null when it names none or has no base model).</summary>
    public static TaskProxyActivations? ForRecipe(MergeRecipe recipe)
    {
        if (recipe.ProxyTasks.Count == 0 || recipe.BaseModel is null) return null;
        var tasks = recipe.ProxyTasks.ToDictionary(t => t.Model.Path, t => t.TaskPath, StringComparer.Ordinal);
        return new TaskProxyActivations(recipe.BaseModel.Path, tasks, recipe.ProxyPrompts ?? MaxPrompts);
    }

    /// <param name="baseModel">The base model directory.</param>
    /// <param name="tasks">Eval task YAML per task model directory.</param>
    /// <param name="promptCount">Prompts per task, 1 to <see cref="MaxPrompts"/>.</param>
    public TaskProxyActivations(string baseModel, IReadOnlyDictionary<string, string> tasks, int promptCount = MaxPrompts)
    {
        if (promptCount is < 1 or > MaxPrompts) throw new ArgumentOutOfRangeException(nameof(promptCount), promptCount, $"proxy prompts must be 1 to {MaxPrompts}");
        _baseModel = baseModel;
        _tasks = tasks.ToDictionary(t => Key(t.Key), t => t.Value, StringComparer.Ordinal);
        _promptCount = promptCount;
    }

    /// <summary>Seconds spent collecting moments so far.</summary>
    public double CollectSeconds { get; private set; }

    /// <inheritdoc />
    public TorchSharp.torch.Tensor? InputSecondMoment(string modelPath, string baseTensorName)
    {
        lock (_gate)
        {
            string key = Key(modelPath);
            if (!_moments.TryGetValue(key, out var moments))
            {
                if (!_tasks.TryGetValue(key, out string? task))
                    throw new MergeException($"no proxy task for model {modelPath}: proxy activations need proxy_tasks to name an eval task for every merged model");
                var clock = System.Diagnostics.Stopwatch.StartNew();
                moments = Collect(task);
                CollectSeconds += clock.Elapsed.TotalSeconds;
                _moments[key] = moments;
            }
            return moments.Of(baseTensorName);
        }
    }

    /// <summary>The token ids of a task's first prompts, as this provider feeds them to the base model.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Prompts(string taskYaml)
    {
        _tokenizer ??= TextTokenizer.Load(_baseModel);
        var decoder = Decoder();
        var encoder = new RequestEncoder(_tokenizer, decoder.Config.MaxPositionEmbeddings);
        var task = EvalTask.Load(taskYaml, _promptCount);
        return task.Documents.Select(d => encoder.EncodePrompt(d switch
        {
            GenerationDocument g => g.Context,
            MultipleChoiceDocument m => m.Context,
            PerplexityDocument p => p.Text,
            _ => throw new ArgumentException($"{taskYaml}: unsupported document kind {d.GetType().Name}"),
        }, 0)).ToList();
    }

    private LinearInputMoments Collect(string taskYaml) => LinearInputMoments.Collect(Decoder(), Prompts(taskYaml));

    private DecoderModel Decoder()
    {
        if (_decoder is null)
        {
            using var directory = ModelDirectory.Open(_baseModel);
            _decoder = DecoderModel.Load(directory);
        }
        return _decoder;
    }

    private static string Key(string path) => Path.GetFullPath(path).TrimEnd('/');

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var moments in _moments.Values) moments.Dispose();
        _moments.Clear();
        _decoder?.Dispose();
        _decoder = null;
    }
}
