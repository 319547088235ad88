using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EvoMerge.Evaluation;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Scoring;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Search.Runs;

/// <summary>
/// The <see cref="ScoreCache"/> keys of a setup's reference points: SHA-256 of
/// <list type="bullet">
/// <item>the scorer: <see cref="ScoreCache.ScorerVersion"/>, <see cref="ScoreCache.Device"/>, TorchSharp's version,
/// the compute dtype and the batch token budget;</item>
/// <item>the models: the content hash (<see cref="ModelContentHash"/>: weights, config and tokenizer files) of the
/// base and of every source, in order; every reference is built by the run's merge code from all of them and scored
/// with the base's tokenizer, so any model's change misses every reference's entry;</item>
/// <item>the task fingerprint: for each task file of the objectives and constraints, in order, the SHA-256 of its YAML
/// (split, item selection and limit, prompt format, metrics, few-shot count and seed) and of the Parquet files it
/// scores and draws few-shot examples from; each objective's task and metric, each constraint's task, metric and
/// minimum;</item>
/// <item>the reference's recipe as the composer writes it, comment lines dropped and model paths replaced by the
/// models' positions (so the same models elsewhere on disk hit), with the merge seed only for a method that draws
/// random numbers (none of the references does, so runs with other seeds share them).</item>
/// </list>
/// </summary>
public sealed class ReferenceScoreKeys
{
    private readonly string _shared;
    private readonly List<(string Quoted, string Position)> _paths;

    /// <summary>Hashes <paramref name="setup"/>'s models and task files through <paramref name="hashes"/>.</summary>
    public ReferenceScoreKeys(SearchSetup setup, FileContentHashes hashes)
    {
        var config = setup.Config;
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder("evomerge reference score\n");
        text.Append(inv, $"scorer {ScoreCache.ScorerVersion} device {ScoreCache.Device} torchsharp {typeof(torch).Assembly.GetName().Version}\n");
        text.Append(inv, $"dtype {DTypes.ToTorchName(config.DType)} batch_token_budget {config.BatchTokenBudget}\n");
        string[] models = [config.BaseModel, .. config.Models];
        _paths = [];
        for (int i = 0; i < models.Length; i++)
        {
            text.Append(inv, $"model {i} {ModelContentHash.Of(models[i], hashes)}\n");
            _paths.Add((Quote(models[i]), Quote(string.Create(inv, $"model {i}"))));
        }
        _paths.Sort((a, b) => b.Quoted.Length.CompareTo(a.Quoted.Length));
        var taskFiles = config.TaskFiles;
        for (int i = 0; i < taskFiles.Count; i++)
        {
            var definition = EvalTaskDefinition.Read(taskFiles[i]);
            text.Append(inv, $"task {i} {hashes.Of(taskFiles[i])} data {hashes.Of(definition.DataFile)}");
            if (definition.NumFewshot > 0) text.Append(inv, $" fewshot {hashes.Of(definition.FewshotDataFile)}");
            text.Append('\n');
        }
        int TaskIndex(string file) => taskFiles.ToList().IndexOf(file);
        foreach (var o in config.Objectives) text.Append(inv, $"objective {TaskIndex(o.Task)} {o.Metric} maximize={o.Maximize}\n");
        foreach (var c in config.Constraints) text.Append(inv, $"constraint {TaskIndex(c.Task)} {c.Metric} minimum={c.Minimum:R}\n");
        _shared = text.ToString();
    }

    /// <summary>The key of the reference built by <paramref name="recipe"/>.</summary>
    public string Key(CandidateRecipe recipe, bool usesRandomness)
    {
        var text = new StringBuilder(_shared);
        text.Append("recipe\n").Append(Canonical(recipe.ParameterSpace));
        if (recipe.DataFlow is { } layers) text.Append("layers\n").Append(Canonical(layers));
        if (usesRandomness) text.Append(CultureInfo.InvariantCulture, $"seed {recipe.MergeSeed}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private string Canonical(string yaml)
    {
        var lines = yaml.Split('\n').Where(l => !l.TrimStart().StartsWith('#'));
        string text = string.Join('\n', lines);
        foreach (var (quoted, position) in _paths) text = text.Replace(quoted, position, StringComparison.Ordinal);
        return text + "\n";
    }

    /// <summary>A path quoted as <see cref="RecipeComposer"/> writes it into a recipe.</summary>
    private static string Quote(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";
}
