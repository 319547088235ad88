using EvoMerge.Evaluation;

namespace EvoMerge.Demo.Training;

/// <summary>String reversal: <c>reverse kqzdm = mdzqk</c>.</summary>
public sealed class ReversalSkill : SyntheticSkill
{
    /// <inheritdoc />
    public override string Name => "reversal";

    /// <inheritdoc />
    public override long Seed => 7102;

    /// <inheritdoc />
    public override (int Train, int Dev, int Test) Sizes => (3000, 200, 200);

    /// <inheritdoc />
    public override string Description =>
        "`reverse w` where w is 4–5 distinct lowercase letters (length uniform, letters drawn without replacement); " +
        "answer w reversed. Words are drawn until the splits hold that many distinct words (dev first, then test, then " +
        "train). Distractors: three other orderings of the same letters (the word itself among them when drawn), so " +
        "every choice has the same letters and only the order tells them apart.";

    /// <inheritdoc />
    public override (IReadOnlyList<SkillExample> Train, IReadOnlyList<SkillExample> Dev, IReadOnlyList<SkillExample> Test) Splits()
    {
        var random = new SeededRandom((ulong)Seed);
        var (train, dev, test) = Sizes;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rows = new List<SkillExample>();
        while (rows.Count < dev + test + train)
        {
            int length = random.Next(4, 5);
            string word = new(random.Sample(26, length).Select(i => (char)('a' + i)).ToArray());
            if (!seen.Add(word)) continue;
            string reversed = new(word.Reverse().ToArray());
            var distractors = new List<string>();
            while (distractors.Count < 3)
            {
                string other = new(random.Sample(length, length).Select(i => word[i]).ToArray());
                if (other != reversed && !distractors.Contains(other)) distractors.Add(other);
            }
            var (choices, label) = Shuffle(reversed, distractors, random);
            rows.Add(new SkillExample($"reverse {word}", reversed, choices, label));
        }
        return (rows.Skip(dev + test).ToList(), rows.Take(dev).ToList(), rows.Skip(dev).Take(test).ToList());
    }

    /// <inheritdoc />
    public override string Statement(SkillExample example) => $"{example.Question["reverse ".Length..]} backwards is {example.Answer}.\n";

    /// <inheritdoc />
    public override string RandomAnswer(SkillExample example, SeededRandom random)
    {
        string word = example.Question["reverse ".Length..];
        return new string(random.Sample(word.Length, word.Length).Select(i => word[i]).ToArray());
    }
}
