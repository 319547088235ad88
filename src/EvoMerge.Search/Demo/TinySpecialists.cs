using System.Globalization;
using EvoMerge.Inference;
using EvoMerge.Search.Scoring;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Search.Demo;

/// <summary>
/// Writes a small merge problem where merging provably helps, for tests and the demo: a random tiny base decoder
/// (vocabulary 64), specialist A whose embedding and LM-head rows of tokens 0–31 are perturbed, specialist B likewise
/// for tokens 32–63, and two <c>token_choice</c> tasks: task A asks which of four tokens from 0–31 follows a context
/// of tokens from 0–31, the right answer being specialist A's own preference (task B the same for B). Each specialist
/// is perfect on its own task and exactly as good as the base on the other (its change touches no parameter the
/// other task reads); the merge base + δ_A + δ_B is good at both. What a search over this shows: it finds weights
/// that combine two skills held in disjoint parameters, nothing about real-model interference.
/// </summary>
public static class TinySpecialists
{
    /// <summary>The decoder shape used.</summary>
    public static TinyDecoderSpec Spec { get; } = new() { Layers = 2, HiddenSize = 32, IntermediateSize = 64, Heads = 4, KeyValueHeads = 2, VocabSize = 64 };

    /// <summary>Paths of what <see cref="Write"/> produced.</summary>
    public sealed record Layout(string Root, string Base, string SpecialistA, string SpecialistB, string TaskA, string TaskB)
    {
        /// <summary>Objectives block for a config: choice_logprob on both tasks, maximised.</summary>
        public string ObjectivesYaml(string metric = "choice_logprob") =>
            $"objectives:\n  - name: a\n    task: tasks/a.yml\n    metric: {metric}\n  - name: b\n    task: tasks/b.yml\n    metric: {metric}\n";
    }

    /// <summary>Writes models/base, models/a, models/b and tasks/a.yml, tasks/b.yml (with JSON Lines data) under <paramref name="root"/>.</summary>
    public static Layout Write(string root, int itemsPerTask = 48, long seed = 11)
    {
        var layout = new Layout(root, Path.Combine(root, "models", "base"), Path.Combine(root, "models", "a"), Path.Combine(root, "models", "b"),
            Path.Combine(root, "tasks", "a.yml"), Path.Combine(root, "tasks", "b.yml"));
        var weights = TinyDecoderWriter.RandomWeights(Spec, seed);
        try
        {
            TinyDecoderWriter.Write(layout.Base, Spec, weights);
            var generator = new torch.Generator((ulong)seed + 1);
            WriteSpecialist(layout.SpecialistA, weights, 0, 32, generator);
            WriteSpecialist(layout.SpecialistB, weights, 32, 64, generator);
        }
        finally
        {
            foreach (var (_, t) in weights) t.Dispose();
        }
        Directory.CreateDirectory(Path.Combine(root, "tasks"));
        var random = new Random((int)seed);
        WriteTask(layout.TaskA, "a", layout.SpecialistA, 0, 32, itemsPerTask, random);
        WriteTask(layout.TaskB, "b", layout.SpecialistB, 32, 64, itemsPerTask, random);
        return layout;
    }

    private static void WriteSpecialist(string directory, List<(string Name, torch.Tensor Tensor)> baseWeights, int from, int to, torch.Generator generator)
    {
        var weights = new List<(string, torch.Tensor)>();
        foreach (var (name, tensor) in baseWeights)
        {
            var copy = tensor.clone().DetachFromDisposeScope();
            if (name is "model.embed_tokens.weight" or "lm_head.weight")
            {
                using var scope = torch.NewDisposeScope();
                var rows = copy.narrow(0, from, to - from);
                rows.add_(torch.randn(rows.shape, generator: generator) * 0.6f);
            }
            weights.Add((name, copy));
        }
        try
        {
            TinyDecoderWriter.Write(directory, Spec, weights);
        }
        finally
        {
            foreach (var (_, t) in weights) t.Dispose();
        }
    }

    private static void WriteTask(string file, string name, string specialist, int from, int to, int count, Random random)
    {
        using var directory = ModelDirectory.Open(specialist);
        using var model = DecoderModel.Load(directory);
        var items = new List<TokenChoiceItem>();
        for (int i = 0; i < count; i++)
        {
            int[] context = Enumerable.Range(0, 5).Select(_ => random.Next(from, to)).ToArray();
            int[][] choices = Enumerable.Range(from, to - from).OrderBy(_ => random.Next()).Take(4).Select(t => new[] { t }).ToArray();
            var scores = model.LogLikelihood(choices.Select(c => new LogLikelihoodRequest(context, c)).ToArray());
            int answer = Enumerable.Range(0, choices.Length).MaxBy(c => scores[c].LogLikelihood);
            items.Add(new TokenChoiceItem(context, choices, answer));
        }
        string data = Path.ChangeExtension(file, ".jsonl");
        TokenChoiceTask.WriteItems(data, items);
        File.WriteAllText(file, string.Create(CultureInfo.InvariantCulture,
            $"kind: token_choice\nname: {name}\nsplit: validation\ndata: {Path.GetFileName(data)}\ndescription: which of four tokens specialist {name} prefers after a context\n"));
    }
}
