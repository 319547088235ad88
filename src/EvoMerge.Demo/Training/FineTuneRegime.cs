using System.Text.Json.Nodes;
using static System.FormattableString;

namespace EvoMerge.Demo.Training;

/// <summary>
/// How the specialists are fine-tuned from base: learning rate and steps per skill, whether the shared tensors
/// (embeddings, output head, norms) are frozen, an L2 pull toward base, an optional sparse mask of
/// <see cref="Density"/> per tensor picked by gradient magnitude over <see cref="MaskBatches"/> batches, and the
/// share of each batch that replays the other skills' base-mixture rows (so a specialist leaves the other skills'
/// prompts as base had them): with <see cref="AnchorReplay"/> a replayed row is the other skill's question with its
/// correct answer and the loss there is the KL divergence from base's predictions (the specialist must leave base's
/// behaviour on other skills' prompts unchanged), otherwise a base-mixture row with a wrong answer and cross-entropy.
/// <see cref="All"/> lists the regimes tried; models/README.md reports each one's outcome.
/// </summary>
public sealed record FineTuneRegime(string Name, string Summary, double LearningRate, int[] Steps, bool FreezeShared = false,
    double L2ToBase = 0, double? Density = null, int MaskBatches = 0, double ReplayFraction = 0, bool AnchorReplay = false)
{
    /// <summary>The regime <c>evomerge train</c> uses unless told otherwise.</summary>
    public static FineTuneRegime Default => All[0];

    /// <summary>Every named regime, the default first.</summary>
    public static IReadOnlyList<FineTuneRegime> All { get; } =
    [
        new("anchored-short", "as anchored, with 200 steps for reversal and capitals (600 for addition)",
            1e-3, [600, 200, 200], ReplayFraction: 0.75, AnchorReplay: true),
        new("anchored", "every tensor, lr 1e-3, 75% of each batch other skills' questions held to base's predictions (KL, no answer taught)",
            1e-3, [600, 600, 600], ReplayFraction: 0.75, AnchorReplay: true),
        new("dense", "every tensor, lr 1e-3", 1e-3, [1000, 300, 300]),
        new("frozen", "embeddings, lm_head and norms frozen, lr 1e-3", 1e-3, [1000, 300, 300], FreezeShared: true),
        new("sparse-frozen", "shared tensors frozen, 5% of each other tensor by gradient magnitude, lr 1e-3, replay 25%", 1e-3, [1000, 300, 300],
            FreezeShared: true, Density: 0.05, MaskBatches: 8, ReplayFraction: 0.25),
        new("sparse", "10% of each tensor by gradient magnitude, lr 3e-3, replay 25%", 3e-3, [1000, 300, 300],
            Density: 0.1, MaskBatches: 8, ReplayFraction: 0.25),
        new("sparse-l2", "10% of each tensor by gradient magnitude, lr 3e-3, replay 25%, L2 0.05 toward base", 3e-3, [1000, 300, 300],
            L2ToBase: 0.05, Density: 0.1, MaskBatches: 8, ReplayFraction: 0.25),
    ];

    /// <summary>The regime called <paramref name="name"/>, or an error listing the known ones.</summary>
    public static FineTuneRegime Named(string name) =>
        All.FirstOrDefault(r => r.Name == name)
        ?? throw new ArgumentException($"--regime '{name}': not one of {string.Join(", ", All.Select(r => r.Name))}");

    /// <summary>This regime with the given fields replaced (null keeps the regime's); the name records what changed.</summary>
    public FineTuneRegime WithOverrides(double? density, double? replayFraction, double? l2ToBase, double? learningRate, bool? freezeShared = null,
        int? steps = null)
    {
        var changes = new List<string>();
        var result = this;
        if (freezeShared is bool f) { result = result with { FreezeShared = f }; changes.Add(f ? "frozen shared" : "shared trainable"); }
        if (density is double d) { result = result with { Density = d, MaskBatches = Math.Max(MaskBatches, 8) }; changes.Add(Invariant($"density {d}")); }
        if (replayFraction is double r) { result = result with { ReplayFraction = r }; changes.Add(Invariant($"replay {r}")); }
        if (l2ToBase is double l) { result = result with { L2ToBase = l }; changes.Add(Invariant($"l2 {l}")); }
        if (learningRate is double lr) { result = result with { LearningRate = lr }; changes.Add(Invariant($"lr {lr}")); }
        if (steps is int n) { result = result with { Steps = [.. Steps.Select(_ => n)] }; changes.Add(Invariant($"steps {n}")); }
        return changes.Count == 0 ? this : result with { Name = $"{Name} ({string.Join(", ", changes)})" };
    }

    /// <summary>The specialist's settings for skill <paramref name="index"/> (data seed 8200 + index).</summary>
    public TrainingSettings Settings(int index) =>
        new(Steps: Steps[index], BatchSize: 32, LearningRate: LearningRate, WarmupSteps: 20, WeightDecay: 0.0, Seed: 8200 + index);

    /// <summary>The seed of the batches that pick skill <paramref name="index"/>'s sparse mask.</summary>
    public static long MaskSeed(int index) => 8250 + index;

    /// <summary>The regime's fields for a model's training.json.</summary>
    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["summary"] = Summary,
        ["frozen"] = FreezeShared ? "model.embed_tokens.weight, lm_head.weight, *norm.weight" : "none",
        ["l2_to_base"] = L2ToBase,
        ["density"] = Density,
        ["mask"] = Density is null ? null : $"top entries by |gradient| summed over {MaskBatches} batches of 32 (seed 8250 + skill index)",
        ["replay_fraction"] = ReplayFraction,
        ["replay_loss"] = ReplayFraction <= 0 ? null : AnchorReplay ? "KL(base ‖ model) on the other skill's answer positions" : "cross-entropy on a wrong answer",
    };
}
