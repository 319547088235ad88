using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvoMerge.Evaluation;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Demo.Training;

/// <summary>
/// Trains the demo's models from the skill datasets: <c>base</c> from scratch on a <see cref="BaseMixture"/> (by
/// default template sentences and every skill's facts phrased as sentences: it holds the skills but not the question
/// form the tasks ask in), one specialist per skill fine-tuned from base under a <see cref="FineTuneRegime"/> (by
/// default anchored: the other skills' prompts held to base's predictions, so the task vectors add), and
/// <c>multitask</c> fine-tuned from base on all skills at once (the upper bound for a merge). Each is written in
/// HF layout (config.json, fp16 model.safetensors, tokenizer files) with <c>training.json</c> recording its
/// settings and seeds. Runs on one torch thread so that retraining gives the same bytes.
/// </summary>
public static class DemoModelTraining
{
    /// <summary>4 layers, hidden 128, 4 heads (2 KV heads), intermediate 384, byte vocabulary: about 0.85M parameters.</summary>
    public static TinyDecoderSpec Spec { get; } = new()
    {
        Layers = 4, HiddenSize = 128, IntermediateSize = 384, Heads = 4, KeyValueHeads = 2, VocabSize = ByteTokenizerFiles.VocabSize,
        MaxPositionEmbeddings = 128, DType = torch.ScalarType.Float16,
    };

    /// <summary>The seed of the base model's initial weights.</summary>
    public const long InitSeed = 8000;

    /// <summary>Names of the trained models, in training order.</summary>
    public static IReadOnlyList<string> ModelNames => ["base", .. SyntheticSkill.All.Select(s => s.Name), "multitask"];

    /// <summary>Multi-task: all skills' train splits, uniformly, loss on the answer only.</summary>
    public static TrainingSettings MultitaskSettings { get; } = new(Steps: 1200, BatchSize: 32, LearningRate: 1e-3, WarmupSteps: 20, WeightDecay: 0.0, Seed: 8300);

    /// <summary>config.json of the demo models: the spec's, with the byte tokenizer's special ids.</summary>
    public static JsonObject ConfigJson()
    {
        var config = Spec.ToConfigJson();
        config["bos_token_id"] = ByteTokenizerFiles.BosId;
        config["eos_token_id"] = ByteTokenizerFiles.EosId;
        config["pad_token_id"] = ByteTokenizerFiles.PadId;
        return config;
    }

    /// <summary>BOS and the UTF-8 bytes of <paramref name="text"/>: what the byte tokenizer encodes it to.</summary>
    public static int[] Encode(string text) => [ByteTokenizerFiles.BosId, .. Encoding.UTF8.GetBytes(text).Select(b => (int)b)];

    /// <summary>
    /// Trains <paramref name="names"/> (all by default) into <c>MODELS/{name}</c>, the specialists under
    /// <paramref name="regime"/> (<see cref="FineTuneRegime.Default"/> when null), base on <paramref name="mixture"/>
    /// (<see cref="BaseMixture.Default"/> when null); a specialist needs base there.
    /// </summary>
    public static void TrainAll(string modelsDirectory, IReadOnlyCollection<string>? names, Action<string> log, FineTuneRegime? regime = null,
        BaseMixture? mixture = null)
    {
        regime ??= FineTuneRegime.Default;
        mixture ??= BaseMixture.Default;
        torch.set_num_threads(1);
        var splits = SyntheticSkill.All.Select(s => s.Splits().Train).ToList();
        string basePath = Path.Combine(modelsDirectory, "base");
        bool Wanted(string name) => names is null || names.Contains(name);

        if (Wanted("base"))
            Train(modelsDirectory, "base", null, mixture.Settings, BaseSampler(splits, mixture), mixture.Summary, log, mixture: mixture);
        for (int i = 0; i < SyntheticSkill.All.Count; i++)
        {
            var skill = SyntheticSkill.All[i];
            if (!Wanted(skill.Name)) continue;
            string replay = regime.AnchorReplay
                ? "replay of the other skills' questions (correct answers, held to base's predictions by KL)"
                : "replay of the other skills' base-mixture rows (wrong answers, loss on the answer)";
            string data = $"datasets/{skill.Name}/train.parquet" + (regime.ReplayFraction > 0
                ? $"; {Math.Round(regime.ReplayFraction * 100).ToString(CultureInfo.InvariantCulture)}% {replay}" : "");
            Train(modelsDirectory, skill.Name, basePath, regime.Settings(i), SpecialistSampler(splits, i, regime.ReplayFraction, regime.AnchorReplay), data, log, regime, i);
        }
        if (Wanted("multitask"))
            Train(modelsDirectory, "multitask", basePath, MultitaskSettings, AnswerSampler(splits),
                string.Join(", ", SyntheticSkill.All.Select(s => $"datasets/{s.Name}/train.parquet")), log);
    }

    /// <summary>Sequences of the base mixture <paramref name="mixture"/>.</summary>
    public static Func<SeededRandom, TrainingSequence> BaseSampler(IReadOnlyList<IReadOnlyList<SkillExample>> splits, BaseMixture mixture) => random =>
    {
        if (random.Chance(mixture.TemplateFraction)) return new TrainingSequence(Encode(GenericText.Sentence(random)), 1);
        int s = random.Next(splits.Count);
        var example = splits[s][random.Next(splits[s].Count)];
        if (mixture.Statements) return new TrainingSequence(Encode(SyntheticSkill.All[s].Statement(example)), 1);
        bool correct = random.Chance(mixture.CorrectFraction);
        return new TrainingSequence(Encode(correct ? example.Text() : example.Text(SyntheticSkill.All[s].RandomAnswer(example, random))), 1);
    };

    /// <summary>
    /// Skill <paramref name="index"/>'s correct examples (loss on the answer) and, with probability
    /// <paramref name="replayFraction"/>, a row of another skill: with <paramref name="anchored"/> its question and correct
    /// answer held to the reference model's predictions, otherwise with a random answer as in base's mixture (loss on that answer).
    /// </summary>
    public static Func<SeededRandom, TrainingSequence> SpecialistSampler(IReadOnlyList<IReadOnlyList<SkillExample>> splits, int index, double replayFraction,
        bool anchored = false)
    {
        var own = AnswerSampler([splits[index]]);
        var others = Enumerable.Range(0, splits.Count).Where(s => s != index).ToArray();
        return random =>
        {
            if (replayFraction <= 0 || !random.Chance(replayFraction)) return own(random);
            int s = others[random.Next(others.Length)];
            var example = splits[s][random.Next(splits[s].Count)];
            int firstTarget = 1 + Encoding.UTF8.GetByteCount(example.Question + " =");
            return anchored
                ? new TrainingSequence(Encode(example.Text()), firstTarget, Anchored: true)
                : new TrainingSequence(Encode(example.Text(SyntheticSkill.All[s].RandomAnswer(example, random))), firstTarget);
        };
    }

    /// <summary>Correct examples drawn uniformly over skills, then rows; the loss covers <c>" answer\n"</c>.</summary>
    public static Func<SeededRandom, TrainingSequence> AnswerSampler(IReadOnlyList<IReadOnlyList<SkillExample>> splits) => random =>
    {
        int s = random.Next(splits.Count);
        var example = splits[s][random.Next(splits[s].Count)];
        return new TrainingSequence(Encode(example.Text()), 1 + Encoding.UTF8.GetByteCount(example.Question + " ="));
    };

    /// <summary>The constraints <paramref name="regime"/> puts on a fine-tune of skill <paramref name="index"/> (masks picked here).</summary>
    public static TrainingConstraints Constraints(TrainableDecoder model, FineTuneRegime regime, int index, Func<SeededRandom, TrainingSequence> sampler)
    {
        var constraints = new TrainingConstraints(model, regime.FreezeShared ? TrainingConstraints.SharedTensors(model) : [], regime.L2ToBase);
        if (regime.Density is double density)
            SparseMaskSelection.ByGradientMagnitude(model, constraints, sampler, regime.MaskBatches, 32, FineTuneRegime.MaskSeed(index), density, ByteTokenizerFiles.PadId);
        return constraints;
    }

    private static void Train(string modelsDirectory, string name, string? from, TrainingSettings settings,
        Func<SeededRandom, TrainingSequence> sampler, string data, Action<string> log, FineTuneRegime? regime = null, int skillIndex = 0,
        BaseMixture? mixture = null)
    {
        var clock = Stopwatch.StartNew();
        using var model = from is null ? TrainableDecoder.Initialize(ConfigJson(), InitSeed) : TrainableDecoder.FromDirectory(from);
        using var constraints = regime is null ? null : Constraints(model, regime, skillIndex, AnswerSampler([SyntheticSkill.All[skillIndex].Splits().Train]));
        using var reference = regime is { AnchorReplay: true, ReplayFraction: > 0 } && from is not null ? TrainableDecoder.FromDirectory(from) : null;
        var losses = DecoderTrainer.Train(model, sampler, settings, ByteTokenizerFiles.PadId, (step, loss) =>
        {
            if (step % 100 == 0 || step == settings.Steps - 1)
                log(string.Create(CultureInfo.InvariantCulture, $"{name}: step {step + 1}/{settings.Steps} loss {loss:0.0000} ({clock.Elapsed.TotalSeconds:0}s)"));
        }, constraints, reference);
        string directory = Path.Combine(modelsDirectory, name);
        Directory.CreateDirectory(directory);
        var weights = model.Export(Spec.DType);
        try
        {
            AtomicFile.WriteAllText(Path.Combine(directory, "config.json"), ConfigJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
            SafetensorsWriter.WriteModel(directory, weights);
        }
        finally
        {
            foreach (var (_, t) in weights) t.Dispose();
        }
        ByteTokenizerFiles.Write(directory);
        var card = new JsonObject
        {
            ["model"] = name,
            ["fine_tuned_from"] = from is null ? null : "base",
            ["init_seed"] = from is null ? InitSeed : null,
            ["data"] = data,
            ["data_seed"] = settings.Seed,
            ["steps"] = settings.Steps,
            ["batch_size"] = settings.BatchSize,
            ["optimizer"] = "torch.optim.AdamW(beta1 0.9, beta2 0.98, eps 1e-8), grad norm clipped to 1",
            ["learning_rate"] = settings.LearningRate,
            ["warmup_steps"] = settings.WarmupSteps,
            ["schedule"] = "linear warm-up, cosine decay to 10%",
            ["weight_decay"] = settings.WeightDecay,
            ["regime"] = regime?.ToJson(),
            ["mixture"] = mixture?.ToJson(),
            ["torch_threads"] = 1,
            ["loss_first_50_steps"] = Math.Round(losses.Take(50).Average(), 4),
            ["loss_last_50_steps"] = Math.Round(losses.TakeLast(50).Average(), 4),
            ["wall_seconds"] = Math.Round(clock.Elapsed.TotalSeconds, 1),
        };
        AtomicFile.WriteAllText(Path.Combine(directory, "training.json"), card.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        log(string.Create(CultureInfo.InvariantCulture, $"{name}: wrote {directory} in {clock.Elapsed.TotalSeconds:0.0}s"));
    }
}
