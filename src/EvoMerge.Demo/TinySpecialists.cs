using System.Globalization;
using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Tensors;
using Parquet;
using Parquet.Schema;
using TorchSharp;

namespace EvoMerge.Demo;

/// <summary>
/// Writes a small merge problem where merging provably helps, for tests and the demo: a random tiny base decoder
/// over a byte-level tokenizer with no merges (every byte one token), specialist A whose embedding and LM-head rows
/// of the letters A–Z are perturbed, specialist B likewise for a–z, and two multiple-choice eval tasks (Parquet):
/// task A asks which of the letters A–H follows five letters from A–Z, the right answer being specialist A's own
/// preference (task B the same for B in lower case). Each specialist is perfect on its own task and exactly as good
/// as the base on the other (its change touches no parameter that decides the other task's choice); the merge
/// base + δ_A + δ_B is good at both. What a search over this shows: it finds weights that combine two skills held in
/// disjoint parameters, nothing about real-model interference.
/// </summary>
public static class TinySpecialists
{
    /// <summary>The decoder shape used (vocabulary: 256 bytes, &lt;s&gt;, &lt;/s&gt;).</summary>
    public static TinyDecoderSpec Spec { get; } = new()
    {
        Layers = 2, HiddenSize = 32, IntermediateSize = 64, Heads = 4, KeyValueHeads = 2, VocabSize = ByteLevelTokenizerWriter.VocabSize(0),
    };

    /// <summary>Answer letters offered per item.</summary>
    public const int Choices = 8;

    /// <summary>Paths of what <see cref="Write"/> produced.</summary>
    public sealed record Layout(string Root, string Base, string SpecialistA, string SpecialistB, string TaskA, string TaskB)
    {
        /// <summary>Objectives block for a config: the metric on both tasks (its direction from the metric).</summary>
        public string ObjectivesYaml(string metric = "acc") =>
            $"objectives:\n  - name: a\n    task: tasks/a.yml\n    metric: {metric}\n  - name: b\n    task: tasks/b.yml\n    metric: {metric}\n";

        /// <summary>
        /// The head of a search config over this layout: base and the two models, <see cref="ObjectivesYaml"/>, a
        /// ties | task_arithmetic genome of two layer groups with weights in [0, 2], and NSGA-II of
        /// <paramref name="population"/>; the caller appends budget, seed and run_dir (and evaluation settings).
        /// </summary>
        public string SearchYaml(int population, string metric = "acc") =>
            "base_model: models/base\nmodels: [models/a, models/b]\n" + ObjectivesYaml(metric)
            + "genome:\n  methods: [ties, task_arithmetic]\n  layer_groups: 2\n  ranges:\n    weight: [0, 2]\n"
            + string.Create(System.Globalization.CultureInfo.InvariantCulture, $"optimizer:\n  name: nsga2\n  settings:\n    population_size: {population}\n");
    }

    /// <summary>
    /// Writes models/base, models/a, models/b (each with the tokenizer) and tasks/a.yml, tasks/b.yml (with Parquet
    /// data, split <c>validation</c>) under <paramref name="root"/>; <paramref name="spec"/> replaces <see cref="Spec"/>
    /// (e.g. a Gemma 2 model of the same vocabulary).
    /// </summary>
    public static Layout Write(string root, int itemsPerTask = 48, long seed = 11, TinyDecoderSpec? spec = null)
    {
        spec ??= Spec;
        var layout = new Layout(root, Path.Combine(root, "models", "base"), Path.Combine(root, "models", "a"), Path.Combine(root, "models", "b"),
            Path.Combine(root, "tasks", "a.yml"), Path.Combine(root, "tasks", "b.yml"));
        var weights = TinyDecoderWriter.RandomWeights(spec, seed);
        try
        {
            TinyDecoderWriter.Write(layout.Base, spec, weights);
            var generator = new torch.Generator((ulong)seed + 1);
            WriteSpecialist(layout.SpecialistA, spec, weights, 'A', 'Z' + 1, generator);
            WriteSpecialist(layout.SpecialistB, spec, weights, 'a', 'z' + 1, generator);
        }
        finally
        {
            foreach (var (_, t) in weights) t.Dispose();
        }
        foreach (string model in new[] { layout.Base, layout.SpecialistA, layout.SpecialistB }) ByteLevelTokenizerWriter.Write(model, []);
        Directory.CreateDirectory(Path.Combine(root, "tasks"));
        var random = new Random((int)seed);
        WriteTask(layout.TaskA, "a", layout.SpecialistA, 'A', itemsPerTask, random);
        WriteTask(layout.TaskB, "b", layout.SpecialistB, 'a', itemsPerTask, random);
        return layout;
    }

    private static void WriteSpecialist(string directory, TinyDecoderSpec spec, List<(string Name, torch.Tensor Tensor)> baseWeights, int from, int to, torch.Generator generator)
    {
        var weights = new List<(string, torch.Tensor)>();
        foreach (var (name, tensor) in baseWeights)
        {
            var copy = tensor.clone().DetachFromDisposeScope();
            if (name is "model.embed_tokens.weight" or "lm_head.weight")
            {
                using var scope = torch.NewDisposeScope();
                var rows = copy.narrow(0, from, to - from);
                using var spread = 0.6f.ToScalar();
                rows.add_(torch.randn(rows.shape, generator: generator).mul_(spread), ScalarConstants.One);
            }
            weights.Add((name, copy));
        }
        try
        {
            TinyDecoderWriter.Write(directory, spec, weights);
        }
        finally
        {
            foreach (var (_, t) in weights) t.Dispose();
        }
    }

    /// <summary>
    /// Writes a multiple-choice task (YAML + Parquet, split <c>validation</c>): which of the letters
    /// <paramref name="first"/>… (<see cref="Choices"/> of them) follows five random letters from the 26 starting at
    /// <paramref name="first"/>; written with placeholder answers, then each answer set to <paramref name="specialist"/>'s
    /// own prediction (so that model is perfect on it).
    /// </summary>
    public static void WriteTask(string file, string name, string specialist, char first, int count, Random random)
    {
        var contexts = new string[count];
        for (int i = 0; i < count; i++)
            contexts[i] = new string(Enumerable.Range(0, 5).Select(_ => (char)(first + random.Next(26))).ToArray());
        string data = Path.ChangeExtension(file, ".parquet");
        WriteParquet(data, contexts, new long[count]);
        string choices = string.Join(", ", Enumerable.Range(0, Choices).Select(c => (char)(first + c)));
        File.WriteAllText(file, string.Create(CultureInfo.InvariantCulture, $"""
            # Which of the letters {first}–{(char)(first + Choices - 1)} specialist {name} prefers after five letters.
            name: {name}
            kind: multiple_choice
            splits:
              validation: {Path.GetFileName(data)}
            split: validation
            prompt: "{"{context}"}"
            choices: [{choices}]
            target_delimiter: ""
            answer_column: answer

            """));

        using var directory = ModelDirectory.Open(specialist);
        using var model = DecoderModel.Load(directory);
        var result = new Evaluator(model, TextTokenizer.Load(specialist)).Evaluate(EvalTask.Load(file));
        WriteParquet(data, contexts, result.Records.Cast<MultipleChoiceRecord>().Select(r => (long)r.Prediction).ToArray());
    }

    private static void WriteParquet(string path, string[] contexts, long[] answers) => WriteParquetAsync(path, contexts, answers).GetAwaiter().GetResult();

    private static async Task WriteParquetAsync(string path, string[] contexts, long[] answers)
    {
        var context = new DataField<string>("context");
        var answer = new DataField<long>("answer");
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(context, answer), stream);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(context, contexts, null);
        await group.WriteAsync<long>(answer, answers.AsMemory());
    }
}
