using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Execution;

/// <summary>
/// Writes a merged model directory: safetensors shards streamed tensor by tensor (the plan fixes every shard's
/// header up front), the index, config.json from the plan, the tokenizer donor's tokenizer and generation files
/// (updated for a built vocabulary, see <see cref="Vocabulary.MergedTokenizerFiles"/>),
/// the recipe's chat_template (when given) in tokenizer_config.json, and the recipe text as
/// <c>evomerge_recipe.yml</c> (relative model paths rewritten relative to the output directory, so the saved recipe
/// reproduces the merge from there). Weights appear under their final names only on completion and everything else after
/// them; disposing an incomplete sink removes its temporary files, and the output directory with everything in it
/// when the sink created it (with any parent directories it created).
/// </summary>
public sealed class ModelDirectorySink : IMergedTensorSink, IDisposable
{
    /// <summary>The name the recipe is saved under in the output directory.</summary>
    public const string RecipeFileName = "evomerge_recipe.yml";

    private readonly MergePlan _plan;
    private readonly SafetensorsWriter _writer;
    private readonly string? _createdDirectory;
    private bool _completed;

    private ModelDirectorySink(MergePlan plan, string directory, SafetensorsWriter writer, string? createdDirectory)
    {
        _plan = plan;
        Directory = directory;
        _writer = writer;
        _createdDirectory = createdDirectory;
    }

    /// <summary>The output directory (full path, symbolic links resolved: where the files are written and what was checked).</summary>
    public string Directory { get; }

    /// <summary>Shard file names, in order.</summary>
    public IReadOnlyList<string> ShardNames => _writer.ShardNames;

    /// <summary>
    /// Prepares <paramref name="directory"/> for the plan's output. A directory that exists and is not empty is an
    /// error unless <paramref name="allowOverwrite"/>; one that is, is inside or contains one of the recipe's models or
    /// proxy task files (symbolic links and ".." resolved, see <see cref="RealPath"/>) always is.
    /// </summary>
    public static ModelDirectorySink Create(MergePlan plan, string directory, long maxShardBytes = SafetensorsWriter.DefaultMaxShardBytes,
        bool allowOverwrite = false)
    {
        var inputs = plan.Models.Select(m => ($"the recipe's model '{m.Name}'", m.Path))
            .Concat(plan.Models.Where(m => m.Directory.AdapterPath is not null).Select(m => ($"the LoRA adapter of '{m.Name}'", m.Directory.AdapterPath!)))
            .Concat(plan.Recipe.ProxyTasks.Select(t => ($"the proxy task of '{t.Model.Name}'", t.TaskPath)));
        if (RealPath.OverlapMessage(directory, inputs) is { } overlap) throw new MergeException(overlap);
        string full = RealPath.Resolve(directory);
        bool exists = System.IO.Directory.Exists(full);
        if (exists && !allowOverwrite && System.IO.Directory.EnumerateFileSystemEntries(full).Any())
            throw new MergeException($"{directory}: output directory exists and is not empty (--allow-overwrite replaces its model files)");
        if (File.Exists(full)) throw new MergeException($"{directory}: is a file, not a directory");
        string? created = null;
        for (string? d = full; d is not null && !System.IO.Directory.Exists(d); d = Path.GetDirectoryName(d)) created = d;
        try
        {
            var writer = new SafetensorsWriter(full, plan.OutputSpecs, maxShardBytes);
            return new ModelDirectorySink(plan, full, writer, created);
        }
        catch
        {
            RemoveCreated(created);
            throw;
        }
    }

    /// <inheritdoc />
    public void Accept(PlannedTensor tensor, torch.Tensor merged) => _writer.Write(tensor.Name, merged);

    /// <inheritdoc />
    public void Complete()
    {
        _writer.Complete();
        AtomicFile.WriteAllText(Path.Combine(Directory, "config.json"),
            _plan.OutputConfig.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

        var donor = _plan.TokenizerDonor.Directory;
        foreach (string name in ModelDirectory.AuxiliaryFileNames.Except(donor.AuxiliaryFiles))
            AtomicFile.TryDelete(Path.Combine(Directory, name));
        donor.CopyAuxiliaryFilesTo(Directory);
        if (_plan.Vocabulary is { } vocabulary) Vocabulary.MergedTokenizerFiles.Write(vocabulary, Directory);
        if (ChatTemplateResolver.Resolve(_plan.Recipe) is { } template) WriteChatTemplate(template);

        AtomicFile.WriteAllText(Path.Combine(Directory, RecipeFileName), _plan.Recipe.TextRelativeTo(Directory));
        _completed = true;
    }

    /// <summary>
    /// Sets "chat_template" in tokenizer_config.json (creating it when the donor has none) and removes the
    /// chat_template.jinja / chat_template.json files, which transformers would prefer over the config field.
    /// </summary>
    private void WriteChatTemplate(string template)
    {
        string path = Path.Combine(Directory, "tokenizer_config.json");
        JsonObject config;
        try
        {
            config = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InvalidDataException($"{path}: must be a JSON object") : [];
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message})");
        }
        config["chat_template"] = template;
        AtomicFile.WriteAllText(path, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        AtomicFile.TryDelete(Path.Combine(Directory, "chat_template.jinja"));
        AtomicFile.TryDelete(Path.Combine(Directory, "chat_template.json"));
    }

    /// <summary>Abandons an incomplete write: removes temporary shards, and the directories this sink created with everything in them.</summary>
    public void Dispose()
    {
        _writer.Dispose();
        if (!_completed) RemoveCreated(_createdDirectory);
    }

    private static void RemoveCreated(string? created)
    {
        if (created is null) return;
        try
        {
            System.IO.Directory.Delete(created, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
