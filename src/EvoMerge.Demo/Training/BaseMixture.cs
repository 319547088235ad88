using System.Text.Json.Nodes;
using static System.FormattableString;

namespace EvoMerge.Demo.Training;

/// <summary>
/// What base is pre-trained on: <see cref="TemplateFraction"/> of the rows are template sentences, the rest skill
/// rows (skills uniformly). With <see cref="Statements"/> a skill row is its fact phrased as a sentence
/// (<see cref="SyntheticSkill.Statement"/>, a form the tasks never ask in); otherwise it is the question form of the
/// tasks, shown with its correct answer with probability <see cref="CorrectFraction"/> and with a random answer of the
/// right form otherwise. Loss on every token. <see cref="All"/> lists the mixtures
/// tried; models/README.md reports each one's outcome.
/// </summary>
public sealed record BaseMixture(string Name, string Summary, double TemplateFraction, double CorrectFraction, int Steps, double LearningRate,
    bool Statements = false)
{
    /// <summary>The mixture <c>evomerge train</c> uses unless told otherwise.</summary>
    public static BaseMixture Default => All[0];

    /// <summary>Every named mixture, the default first.</summary>
    public static IReadOnlyList<BaseMixture> All { get; } =
    [
        new("half-correct", "30% template sentences, 70% skill questions, half of them with the correct answer, 2400 steps", 0.3, 0.5, 2400, 3e-3),
        new("statements", "25% template sentences, 75% skill facts phrased as sentences (no question form)", 0.25, 1.0, 2400, 3e-3, Statements: true),
        new("partial", "30% template sentences, 70% skill questions, half of them with the correct answer", 0.3, 0.5, 1200, 3e-3),
        new("formats", "30% template sentences, 70% skill questions with wrong answers (formats only)", 0.3, 0.0, 1200, 3e-3),
    ];

    /// <summary>The mixture called <paramref name="name"/>, or an error listing the known ones.</summary>
    public static BaseMixture Named(string name) =>
        All.FirstOrDefault(m => m.Name == name)
        ?? throw new ArgumentException($"--base '{name}': not one of {string.Join(", ", All.Select(m => m.Name))}");

    /// <summary>This mixture with the given fields replaced (null keeps the mixture's); the name records what changed.</summary>
    public BaseMixture WithOverrides(double? correctFraction, int? steps)
    {
        var changes = new List<string>();
        var result = this;
        if (correctFraction is double c) { result = result with { CorrectFraction = c }; changes.Add(Invariant($"correct {c}")); }
        if (steps is int s) { result = result with { Steps = s }; changes.Add(Invariant($"steps {s}")); }
        return changes.Count == 0 ? this : result with { Name = $"{Name} ({string.Join(", ", changes)})" };
    }

    /// <summary>Base's AdamW settings (warm-up 100 steps, weight decay 0.01, data seed 8100).</summary>
    public TrainingSettings Settings => new(Steps: Steps, BatchSize: 32, LearningRate: LearningRate, WarmupSteps: 100, WeightDecay: 0.01, Seed: 8100);

    /// <summary>The mixture's fields for base's training.json.</summary>
    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["summary"] = Summary,
        ["template_fraction"] = TemplateFraction,
        ["correct_fraction"] = CorrectFraction,
        ["statements"] = Statements,
    };
}
