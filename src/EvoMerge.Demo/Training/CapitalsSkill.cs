using EvoMerge.Evaluation;

namespace EvoMerge.Demo.Training;

/// <summary>Recall of a fixed table of made-up countries and capitals: <c>capital of Velora = Tuskan</c>.</summary>
public sealed class CapitalsSkill : SyntheticSkill
{
    private const int Countries = 120;
    private static readonly string[] Consonants = ["b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z"];
    private static readonly string[] Vowels = ["a", "e", "i", "o", "u"];

    /// <inheritdoc />
    public override string Name => "capitals";

    /// <inheritdoc />
    public override long Seed => 7103;

    /// <inheritdoc />
    public override (int Train, int Dev, int Test) Sizes => (Countries, Countries / 2, Countries / 2);

    /// <inheritdoc />
    public override string Description =>
        $"`capital of C`; answer the capital of the made-up country C. The table has {Countries} countries (two or three " +
        "consonant-vowel syllables) and capitals (two syllables plus a final consonant), all names distinct. This is " +
        "knowledge, not a procedure: train holds every fact of the table; dev asks about one half of the countries and " +
        "test about the other half, so search fitness and final reporting never share a question. Distractors: three " +
        "other capitals of the table.";

    /// <inheritdoc />
    public override (IReadOnlyList<SkillExample> Train, IReadOnlyList<SkillExample> Dev, IReadOnlyList<SkillExample> Test) Splits()
    {
        var random = new SeededRandom((ulong)Seed);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var countries = new List<string>();
        var capitals = new List<string>();
        while (countries.Count < Countries)
        {
            string country = MadeUpName(random, random.Next(2, 3), finalConsonant: false);
            string capital = MadeUpName(random, 2, finalConsonant: true);
            if (country == capital || names.Contains(country) || names.Contains(capital)) continue;
            names.Add(country);
            names.Add(capital);
            countries.Add(country);
            capitals.Add(capital);
        }
        var rows = new List<SkillExample>();
        for (int i = 0; i < Countries; i++)
        {
            var distractors = new List<string>();
            while (distractors.Count < 3)
            {
                string other = capitals[random.Next(Countries)];
                if (other != capitals[i] && !distractors.Contains(other)) distractors.Add(other);
            }
            var (choices, label) = Shuffle(capitals[i], distractors, random);
            rows.Add(new SkillExample($"capital of {countries[i]}", capitals[i], choices, label));
        }
        return (rows, rows.Take(Countries / 2).ToList(), rows.Skip(Countries / 2).ToList());
    }

    /// <inheritdoc />
    public override string Statement(SkillExample example) => $"the seat of {example.Question["capital of ".Length..]} is {example.Answer}.\n";

    /// <inheritdoc />
    public override string RandomAnswer(SkillExample example, SeededRandom random) => MadeUpName(random, 2, finalConsonant: true);

    private static string MadeUpName(SeededRandom random, int syllables, bool finalConsonant)
    {
        var parts = new List<string>();
        for (int s = 0; s < syllables; s++) parts.Add(Consonants[random.Next(Consonants.Length)] + Vowels[random.Next(Vowels.Length)]);
        if (finalConsonant) parts.Add(Consonants[random.Next(Consonants.Length)]);
        string name = string.Concat(parts);
        return char.ToUpperInvariant(name[0]) + name[1..];
    }
}
