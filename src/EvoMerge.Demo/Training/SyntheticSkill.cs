using EvoMerge.Evaluation;

namespace EvoMerge.Demo.Training;

/// <summary>
/// A skill of the bundled demo: a deterministic generator of train/dev/test examples (from <see cref="Seed"/>) and
/// of plausible wrong answers, which teach the base model the answer format without the skill itself.
/// </summary>
public abstract class SyntheticSkill
{
    /// <summary>The three skills of the demo, in a fixed order.</summary>
    public static IReadOnlyList<SyntheticSkill> All { get; } = [new AdditionSkill(), new ReversalSkill(), new CapitalsSkill()];

    /// <summary>Directory and task-name prefix (<c>addition</c>, …).</summary>
    public abstract string Name { get; }

    /// <summary>The seed every row of this skill's splits is drawn from.</summary>
    public abstract long Seed { get; }

    /// <summary>Rows per split, in the order train, dev, test.</summary>
    public abstract (int Train, int Dev, int Test) Sizes { get; }

    /// <summary>One paragraph for the dataset card: what a row asks and how rows, distractors and splits are drawn.</summary>
    public abstract string Description { get; }

    /// <summary>The three splits; rows of different splits never share a question.</summary>
    public abstract (IReadOnlyList<SkillExample> Train, IReadOnlyList<SkillExample> Dev, IReadOnlyList<SkillExample> Test) Splits();

    /// <summary>
    /// The example's fact phrased as a sentence of base's pre-training text, not in the <c>"{question} = {answer}"</c>
    /// form the tasks ask it in (e.g. <c>"the sum of 47 and 38 is 85.\n"</c>).
    /// </summary>
    public abstract string Statement(SkillExample example);

    /// <summary>An answer of the right form that is usually wrong (the base model's training target).</summary>
    public abstract string RandomAnswer(SkillExample example, SeededRandom random);

    /// <summary>The correct answer and three distinct distractors in random order, with the correct one's index.</summary>
    protected static (string[] Choices, long Label) Shuffle(string answer, IReadOnlyList<string> distractors, SeededRandom random)
    {
        var options = new List<string> { answer };
        options.AddRange(distractors);
        var order = random.Sample(options.Count, options.Count);
        return (order.Select(o => options[o]).ToArray(), Array.IndexOf(order, 0));
    }
}
