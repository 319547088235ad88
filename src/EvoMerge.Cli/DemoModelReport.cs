using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using EvoMerge.Training;
using TorchSharp;

namespace EvoMerge.Cli;

/// <summary>
/// The eval table behind <c>evomerge train --report</c>: every demo model, and the task-arithmetic merge of the
/// specialists written by <c>MODELS/merge-specialists.yml</c>, scored on every skill task (multiple-choice acc and
/// generation exact match, dev and test), written to <c>MODELS/README.md</c> with each model's training card.
/// </summary>
public static class DemoModelReport
{
    private const string MergeRecipe = "merge-specialists.yml";

    /// <summary>Evaluates and writes MODELS/README.md (and the merge recipe); the merged model goes to a temporary directory.</summary>
    public static void Write(string datasetsDirectory, string modelsDirectory, Action<string> log)
    {
        torch.set_num_threads(1);
        var taskFiles = SyntheticSkill.All.SelectMany(SkillDatasets.TaskFiles).ToList();
        var tasks = taskFiles.Select(f => EvalTask.Load(Path.Combine(datasetsDirectory, f))).ToList();
        string recipePath = Path.Combine(modelsDirectory, MergeRecipe);
        AtomicFile.WriteAllText(recipePath, RecipeText());
        string merged = Path.Combine(Path.GetTempPath(), $"evomerge-demo-merge-{Guid.NewGuid():N}");
        try
        {
            var plan = MergePlanner.Build(RecipeReader.ReadFile(recipePath));
            using (var executor = new MergeExecutor(plan))
            using (var sink = ModelDirectorySink.Create(plan, merged))
                executor.Run(sink);
            var rows = new List<(string Model, TaskResult[] Results)>();
            foreach (string name in DemoModelTraining.ModelNames)
                rows.Add((name, Evaluate(Path.Combine(modelsDirectory, name), tasks, log)));
            rows.Add(("merge of the 3 specialists", Evaluate(merged, tasks, log)));
            AtomicFile.WriteAllText(Path.Combine(modelsDirectory, "README.md"), Markdown(rows, modelsDirectory));
            log($"wrote {Path.Combine(modelsDirectory, "README.md")}");
        }
        finally
        {
            if (Directory.Exists(merged)) Directory.Delete(merged, recursive: true);
        }
    }

    private static TaskResult[] Evaluate(string directory, IReadOnlyList<EvalTask> tasks, Action<string> log)
    {
        using var model = ModelDirectory.Open(directory);
        using var decoder = DecoderModel.Load(model);
        var result = new Evaluator(decoder, TextTokenizer.Load(directory)).Evaluate(tasks);
        log($"evaluated {directory}");
        return [.. result.Tasks];
    }

    private static string RecipeText()
    {
        var text = new StringBuilder();
        text.Append("# Task arithmetic of the three specialists, weight 1 each: base + Σ (specialist − base).\n");
        text.Append("merge_method: task_arithmetic\nbase_model: base\nmodels:\n");
        foreach (var skill in SyntheticSkill.All) text.Append($"  - model: {skill.Name}\n    parameters: {{weight: 1.0}}\n");
        text.Append("dtype: float32\n");
        return text.ToString();
    }

    private static string Markdown(List<(string Model, TaskResult[] Results)> rows, string modelsDirectory)
    {
        var text = new StringBuilder();
        text.Append("""
            # Demo models

            Tiny Llama decoders (4 layers, hidden 128, 4 heads / 2 KV heads, intermediate 384, 260-token byte vocabulary,
            ~0.85M parameters, fp16) trained by `./evomerge train` from the skill datasets in `datasets/` (`addition`,
            `reversal`, `capitals`): `base` from scratch on template sentences and every skill's format with wrong
            answers; `addition`, `reversal`, `capitals` fine-tuned from `base` on their skill's train split; `multitask`
            fine-tuned from `base` on all three (the upper bound a merge can hope for). Each directory's `training.json`
            records the seeds and settings. They live in `models/` (not under `datasets/`): they are models, and a search
            config names them as `models/base`, `models/addition`, ….

            This file is written by `./evomerge train --skip-training --report` (the table only; `./evomerge train --report`
            retrains first). The last row is `merge-specialists.yml` (task arithmetic, weight 1 per specialist) merged
            with the Merging API and scored like the others.

            Accuracy in % (multiple choice: acc over 4 choices, chance 25; generate: exact match of the greedy answer).

            """.ReplaceLineEndings("\n"));
        var header = new List<string> { "model" };
        foreach (var skill in SyntheticSkill.All)
            header.AddRange([$"{skill.Name} choice dev", "test", $"{skill.Name} answer dev", "test"]);
        text.Append("| " + string.Join(" | ", header) + " |\n");
        text.Append("|" + string.Concat(header.Select((_, i) => i == 0 ? "---|" : "---:|")) + "\n");
        foreach (var (model, results) in rows)
        {
            var cells = results.Select(r => (r.Metrics.Any(m => m.Name == "acc") ? r.Metric("acc") : r.Metric("exact_match")).Value * 100)
                .Select(v => v.ToString("0.0", CultureInfo.InvariantCulture));
            text.Append($"| {model} | {string.Join(" | ", cells)} |\n");
        }
        text.Append("\n## Training\n\n| model | from | steps | batch | lr | first/last 50-step loss | wall s |\n|---|---|---:|---:|---:|---|---:|\n");
        foreach (string name in DemoModelTraining.ModelNames)
        {
            var card = JsonNode.Parse(File.ReadAllText(Path.Combine(modelsDirectory, name, "training.json")))!;
            text.Append(CultureInfo.InvariantCulture,
                $"| {name} | {card["fine_tuned_from"]?.ToString() ?? "scratch"} | {card["steps"]} | {card["batch_size"]} | {card["learning_rate"]} | {card["loss_first_50_steps"]} → {card["loss_last_50_steps"]} | {card["wall_seconds"]} |\n");
        }
        text.Append("\nWall times are from the run that wrote the committed models (one torch thread on a shared 2-vCPU VM).\n");
        return text.ToString();
    }
}
