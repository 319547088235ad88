using System.Globalization;
using EvoMerge.Evaluation;

namespace EvoMerge.Demo.Training;

/// <summary>Two-digit addition: <c>add 47+38 = 85</c>.</summary>
public sealed class AdditionSkill : SyntheticSkill
{
    private static readonly int[] Offsets = [-11, -10, -9, -2, -1, 1, 2, 9, 10, 11];

    /// <inheritdoc />
    public override string Name => "addition";

    /// <inheritdoc />
    public override long Seed => 7101;

    /// <inheritdoc />
    public override (int Train, int Dev, int Test) Sizes => (3000, 200, 200);

    /// <inheritdoc />
    public override string Description =>
        "`add a+b` with a, b uniform in 10…99; answer the sum. The (a, b) pairs of the three splits are distinct draws " +
        "without replacement from all 8,100 pairs (dev first, then test, then train). Distractors: the sum plus three " +
        "distinct offsets from {±1, ±2, ±9, ±10, ±11} (carry and digit slips).";

    /// <inheritdoc />
    public override (IReadOnlyList<SkillExample> Train, IReadOnlyList<SkillExample> Dev, IReadOnlyList<SkillExample> Test) Splits()
    {
        var random = new SeededRandom((ulong)Seed);
        var (train, dev, test) = Sizes;
        var pairs = random.Sample(90 * 90, dev + test + train);
        var rows = pairs.Select(p => Row(10 + p / 90, 10 + p % 90, random)).ToList();
        return (rows.Skip(dev + test).ToList(), rows.Take(dev).ToList(), rows.Skip(dev).Take(test).ToList());
    }

    /// <inheritdoc />
    public override string Statement(SkillExample example)
    {
        string[] terms = example.Question["add ".Length..].Split('+');
        return $"the sum of {terms[0]} and {terms[1]} is {example.Answer}.\n";
    }

    /// <inheritdoc />
    public override string RandomAnswer(SkillExample example, SeededRandom random) =>
        random.Next(20, 198).ToString(CultureInfo.InvariantCulture);

    private static SkillExample Row(int a, int b, SeededRandom random)
    {
        int sum = a + b;
        var offsets = random.Sample(Offsets.Length, 3).Select(i => Offsets[i]);
        var distractors = offsets.Select(o => (sum + o).ToString(CultureInfo.InvariantCulture)).ToList();
        string answer = sum.ToString(CultureInfo.InvariantCulture);
        var (choices, label) = Shuffle(answer, distractors, random);
        return new SkillExample($"add {a}+{b}", answer, choices, label);
    }
}
