using System.Globalization;
using EvoMerge.Evaluation;

namespace EvoMerge.Tests.Evaluation;

/// <summary>
/// Writes datasets/examples: 20-row arithmetic tasks (multiple choice and generate) and a 20-sentence perplexity
/// text, with their task YAMLs. Rows come from <see cref="SeededRandom"/> with fixed seeds, so the files are the
/// same bytes on every run.
/// </summary>
public static class ExampleDatasets
{
    public const int Rows = 20;
    public const long ChoiceSeed = 20260101;
    public const long AnswerSeed = 20260102;
    public const long TextSeed = 20260103;

    public static readonly string[] TaskFiles = ["arithmetic-choice.yml", "arithmetic-answer.yml", "sentences.yml"];

    public static void Write(string directory)
    {
        Directory.CreateDirectory(directory);
        WriteChoice(directory);
        WriteAnswer(directory);
        WriteSentences(directory);
    }

    private static void WriteChoice(string directory)
    {
        var random = new SeededRandom(ChoiceSeed);
        var questions = new string?[Rows];
        var choices = new string[Rows][];
        var answers = new long[Rows];
        for (int i = 0; i < Rows; i++)
        {
            int a = random.Next(1, 49), b = random.Next(1, 49), sum = a + b;
            var options = new List<int> { sum };
            while (options.Count < 4)
            {
                int wrong = sum + random.Next(-10, 10);
                if (wrong > 0 && !options.Contains(wrong)) options.Add(wrong);
            }
            var order = random.Sample(4, 4);
            choices[i] = order.Select(o => options[o].ToString(CultureInfo.InvariantCulture)).ToArray();
            answers[i] = Array.IndexOf(order, 0);
            questions[i] = $"What is {a} + {b}?";
        }
        TestParquet.Write(Path.Combine(directory, "arithmetic-choice.parquet"), [("question", questions), ("choices", choices), ("answer", answers)]);
        File.WriteAllText(Path.Combine(directory, "arithmetic-choice.yml"), """
            # Sums of two numbers from 1 to 49; four choices, one correct (see README.md).
            name: arithmetic-choice
            kind: multiple_choice
            data: arithmetic-choice.parquet
            prompt: "Question: {question}\nAnswer:"
            choices_column: choices
            answer_column: answer

            """.ReplaceLineEndings("\n"));
    }

    private static void WriteAnswer(string directory)
    {
        var random = new SeededRandom(AnswerSeed);
        var questions = new string?[Rows];
        var answers = new string?[Rows];
        for (int i = 0; i < Rows; i++)
        {
            int a = random.Next(1, 49), b = random.Next(1, 49);
            questions[i] = $"What is {a} plus {b}?";
            answers[i] = (a + b).ToString(CultureInfo.InvariantCulture);
        }
        TestParquet.Write(Path.Combine(directory, "arithmetic-answer.parquet"), [("question", questions), ("answer", answers)]);
        File.WriteAllText(Path.Combine(directory, "arithmetic-answer.yml"), """
            # The same kind of sums, answered by greedy generation; two solved examples before each question.
            name: arithmetic-answer
            kind: generate
            data: arithmetic-answer.parquet
            prompt: "Question: {question}\nAnswer:"
            target_column: answer
            until: ["\n"]
            max_new_tokens: 8
            extract_regex: '(-?\d+)'
            normalize: [strip]
            num_fewshot: 2
            fewshot_seed: 1234

            """.ReplaceLineEndings("\n"));
    }

    private static void WriteSentences(string directory)
    {
        string[] colors = ["red", "green", "blue", "yellow", "black"];
        string[] animals = ["cat", "dog", "horse", "bird", "fish"];
        string[] verbs = ["sees", "follows", "finds", "likes"];
        string[] things = ["ball", "tree", "river", "house", "garden"];
        var random = new SeededRandom(TextSeed);
        var texts = new string?[Rows];
        for (int i = 0; i < Rows; i++)
            texts[i] = $"The {colors[random.Next(colors.Length)]} {animals[random.Next(animals.Length)]} {verbs[random.Next(verbs.Length)]} the {things[random.Next(things.Length)]}.";
        TestParquet.Write(Path.Combine(directory, "sentences.parquet"), [("text", texts)]);
        File.WriteAllText(Path.Combine(directory, "sentences.yml"), """
            # Short template sentences for word perplexity and bits per byte.
            name: sentences
            kind: perplexity
            data: sentences.parquet
            text_column: text

            """.ReplaceLineEndings("\n"));
    }
}
