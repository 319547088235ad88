using System.Text.Json.Nodes;
using EvoMerge.Demo;
using EvoMerge.Evaluation;
using EvoMerge.Inference;
using EvoMerge.Inference.Tokenization;
using EvoMerge.Optimization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Genomes;
using EvoMerge.Search.Runs;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search.Materialization;

/// <summary>
/// The layer ordering (data-flow space) over Mixtral, whose MLP output is each expert's <c>w2</c> rather than
/// <c>down_proj</c>: a skipped slot is an identity layer (the candidate scores as the model written by hand without
/// that layer), and an input scale s on the first slot scores as the model written by hand with its embeddings times s
/// (up to RMSNorm's epsilon: the recipe divides o_proj and every expert's w2 by s instead, and every norm, the
/// router's input included, is scale-invariant and the final norm removes the common factor).
/// </summary>
public class MixtralLayerOrderingTests
{
    private static readonly TinyDecoderSpec Spec = TinySpecialists.Spec with
    {
        ModelType = "mixtral", Layers = 3, IntermediateSize = 16,
        Extra = new JsonObject { ["num_local_experts"] = 3, ["num_experts_per_tok"] = 2 },
    };

    private sealed record Setup(TempDirectory Temp, SearchSetup Search, string ModelA, List<(string Name, torch.Tensor Tensor)> WeightsA) : IDisposable
    {
        public void Dispose()
        {
            foreach (var (_, t) in WeightsA) t.Dispose();
            Temp.Dispose();
        }
    }

    private static Setup Write()
    {
        var temp = new TempDirectory();
        List<(string, torch.Tensor)> weightsA = [];
        foreach (var (name, seed) in new[] { ("base", 1L), ("a", 2L), ("b", 3L) })
        {
            string model = Path.Combine(temp.Path, "models", name);
            var weights = TinyDecoderWriter.RandomWeights(Spec, seed);
            // Matrices 8× the writer's so attention, routing and the experts' outputs are far from negligible.
            foreach (var (n, t) in weights.Where(w => !w.Name.Contains("norm", StringComparison.Ordinal) && !w.Name.Contains("embed", StringComparison.Ordinal)))
            {
                using var eight = 8.0f.ToScalar();
                t.mul_(eight);
            }
            TinyDecoderWriter.Write(model, Spec, weights);
            ByteLevelTokenizerWriter.Write(model, []);
            if (name == "a") weightsA = weights;
            else foreach (var (_, t) in weights) t.Dispose();
        }
        Directory.CreateDirectory(Path.Combine(temp.Path, "tasks"));
        TinySpecialists.WriteTask(Path.Combine(temp.Path, "tasks", "a.yml"), "a", Path.Combine(temp.Path, "models", "a"), 'A', 6, new Random(4));
        string path = Path.Combine(temp.Path, "search.yml");
        File.WriteAllText(path, """
            base_model: models/base
            models: [models/a, models/b]
            objectives:
              - {name: a, task: tasks/a.yml, metric: acc}
            genome:
              methods: [task_arithmetic]
              layer_groups: 1
              layer_ordering:
                repeats: 1
                scale: [0.5, 1.5]
            optimizer: {name: random}
            budget: {generations: 1}
            seed: 8
            run_dir: runs/mixtral
            """);
        var config = SearchConfigReader.ReadFile(path);
        return new Setup(temp, SearchSetup.Create(config, SearchSetup.DeriveInfo(config, temp.Path)), Path.Combine(temp.Path, "models", "a"), weightsA);
    }

    /// <summary>Per-choice log-likelihoods of task a for the candidate whose slots are <paramref name="slots"/> (all from source a).</summary>
    private static double[] CandidateScores(Setup setup, IReadOnlyList<LayerSlot> slots)
    {
        var candidate = setup.Search.Layout.Decode(setup.Search.Layout.Space.RandomGenome(new SearchRandom(5))) with { Slots = slots };
        using var materializer = setup.Search.CreateMaterializer();
        materializer.Materialize(setup.Search.Composer.Compose(candidate));
        return Scores(materializer.Model, setup);
    }

    private static double[] Scores(DecoderModel model, Setup setup)
    {
        var task = EvalTask.Load(Path.Combine(setup.Temp.Path, "tasks", "a.yml"));
        var result = new Evaluator(model, TextTokenizer.Load(setup.ModelA)).Evaluate(task);
        return [.. result.Records.Cast<MultipleChoiceRecord>().SelectMany(r => r.LogLikelihoods)];
    }

    [Fact]
    public void A_skipped_slot_is_an_identity_layer()
    {
        using var setup = Write();
        // By hand: model a without its layer 1 (layer 2 renumbered 1).
        string withoutLayer1 = setup.Temp.Combine("a-without-1");
        var kept = setup.WeightsA.Where(w => !w.Name.StartsWith("model.layers.1.", StringComparison.Ordinal))
            .Select(w => (w.Name.Replace("model.layers.2.", "model.layers.1.", StringComparison.Ordinal), w.Tensor)).ToList();
        TinyDecoderWriter.Write(withoutLayer1, Spec with { Layers = 2 }, kept);
        double[] expected;
        using (var directory = ModelDirectory.Open(withoutLayer1))
        using (var model = DecoderModel.Load(directory))
            expected = Scores(model, setup);

        double[] actual = CandidateScores(setup, [new LayerSlot(0, 0, 0, 1.0), new LayerSlot(2, 2, 0, 1.0)]);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"choice {i}: without layer 1 {expected[i]}, candidate {actual[i]}");
    }

    [Fact]
    public void An_input_scale_on_the_first_slot_scores_as_the_embeddings_scaled_by_hand()
    {
        using var setup = Write();
        // By hand: model a with its embedding matrix times 1.5 (the residual stream entering layer 0 scaled by 1.5).
        string scaledEmbeddings = setup.Temp.Combine("a-embeddings-1.5");
        using (var factor = 1.5f.ToScalar())
        using (var embeddings = setup.WeightsA.Single(w => w.Name == "model.embed_tokens.weight").Tensor.mul(factor))
        {
            var weights = setup.WeightsA.Select(w => w.Name == "model.embed_tokens.weight" ? (w.Name, embeddings) : w).ToList();
            TinyDecoderWriter.Write(scaledEmbeddings, Spec, weights);
        }
        double[] expected;
        using (var directory = ModelDirectory.Open(scaledEmbeddings))
        using (var model = DecoderModel.Load(directory))
            expected = Scores(model, setup);

        double[] actual = CandidateScores(setup, [new LayerSlot(0, 0, 0, 1.5), new LayerSlot(1, 1, 0, 1.0), new LayerSlot(2, 2, 0, 1.0)]);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-4, $"choice {i}: embeddings × 1.5 {expected[i]}, candidate {actual[i]}");
    }
}
