using EvoMerge.Evaluation;

namespace EvoMerge.Demo.Training;

/// <summary>Template sentences (<c>the red cat sees the old tree.</c>): the generic text of the base model's mixture.</summary>
public static class GenericText
{
    private static readonly string[] Adjectives = ["red", "green", "blue", "old", "small", "tall", "quiet", "bright"];
    private static readonly string[] Nouns = ["cat", "dog", "horse", "bird", "river", "tree", "house", "garden", "city", "road"];
    private static readonly string[] Verbs = ["sees", "follows", "finds", "likes", "crosses", "watches"];

    /// <summary>One sentence followed by a newline.</summary>
    public static string Sentence(SeededRandom random) =>
        $"the {Pick(Adjectives, random)} {Pick(Nouns, random)} {Pick(Verbs, random)} the {Pick(Adjectives, random)} {Pick(Nouns, random)}.\n";

    private static string Pick(string[] words, SeededRandom random) => words[random.Next(words.Length)];
}
