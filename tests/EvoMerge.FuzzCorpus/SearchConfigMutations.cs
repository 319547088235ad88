using System.Globalization;
using System.Text;

namespace EvoMerge.FuzzCorpus;

/// <summary>
/// Bad search configs, each a mutation of one valid config (<see cref="Valid"/>, over models/base, models/a, models/b
/// and tasks/a.yml): wrong types, unknown keys, out-of-range numbers, lists over their bounds, aliases, truncation,
/// non-UTF-8 bytes, deep nesting, oversize files, broken syntax, huge numbers. Used by BadSearchConfigBatteryTests and
/// the stored corpus.
/// </summary>
public static class SearchConfigMutations
{
    /// <summary>The valid config every mutation starts from.</summary>
    public const string Valid = """
        base_model: models/base
        models:
          - models/a
          - models/b
        objectives:
          - task: tasks/a.yml
            metric: acc
        genome:
          methods: [ties, task_arithmetic]
          layer_groups: 2
          ranges:
            weight: [0, 1.5]
          layer_ordering:
            repeats: 2
        optimizer:
          name: nsga2
          settings:
            population_size: 6
        budget:
          generations: 3
        evaluation:
          cheap_first:
            fraction: 0.5
        seed: 7
        run_dir: runs/x

        """;

    /// <summary>Cases per kind of mutation.</summary>
    public const int CasesPerKind = 6;

    /// <summary>Twelve kinds of mutation, <see cref="CasesPerKind"/> of each, drawn from <paramref name="random"/>.</summary>
    public static List<(string Kind, byte[] Bytes)> Generate(Random random)
    {
        var cases = new List<(string, byte[])>();
        for (int i = 0; i < CasesPerKind; i++)
        {
            cases.Add(("wrong-type", Text(WrongType(random))));
            cases.Add(("unknown-key", Text(UnknownKey(random))));
            cases.Add(("out-of-range", Text(OutOfRange(random))));
            cases.Add(("huge-list", Text(HugeList(random))));
            cases.Add(("alias", Text(Aliases(random))));
            cases.Add(("truncated", Text(Valid[..random.Next(Valid.IndexOf("run_dir", StringComparison.Ordinal))])));
            cases.Add(("non-utf8", NonUtf8(random)));
            cases.Add(("deep", Text(Valid.Replace("seed: 7", "seed: " + new string('[', random.Next(65, 2000)) + "7" + new string(']', 10)))));
            cases.Add(("oversize", Text(Valid + "# " + new string('x', 1024 * 1024 + random.Next(1, 1000)) + "\n")));
            cases.Add(("syntax", Text(Syntax(random))));
            cases.Add(("documents", Text(Pick(random, ["", "# only a comment\n", "null\n", "---\n" + Valid + "---\nseed: 1\n", "[1, 2]\n", "just text\n"]))));
            cases.Add(("huge-number", Text(HugeNumber(random))));
        }
        return cases;
    }

    private static string WrongType(Random random)
    {
        (string Line, string[] Values)[] fields =
        [
            ("  layer_groups: 2", ["[2]", "{n: 2}", "'two'", "true", "2.5"]),
            ("seed: 7", ["[7]", "'seven'", "7.5", "{a: 1}", "false"]),
            ("run_dir: runs/x", ["[a]", "{a: 1}", "12", "true", "null"]),
            ("base_model: models/base", ["[a]", "{a: 1}", "3.5", "false", "~"]),
            ("    metric: acc", ["[a]", "{a: 1}", "3", "null"]),
            ("  generations: 3", ["'three'", "[3]", "3.5", "{a: 1}"]),
            ("    fraction: 0.5", ["'half'", "[0.5]", "{a: 1}", "true"]),
            ("  name: nsga2", ["[nsga2]", "7", "nsgaX", "{a: 1}"]),
            ("    population_size: 6", ["'six'", "[6]", "6.5", "{a: 1}"]),
        ];
        var (line, values) = Pick(random, fields);
        return Valid.Replace(line, line[..(line.IndexOf(':') + 1)] + " " + Pick(random, values));
    }

    private static string UnknownKey(Random random)
    {
        string name = "k" + string.Concat(Enumerable.Range(0, 6).Select(_ => (char)('a' + random.Next(26))));
        (string After, string Indent)[] places =
        [
            ("seed: 7", ""), ("  layer_groups: 2", "  "), ("  generations: 3", "  "), ("    fraction: 0.5", "    "),
            ("    metric: acc", "    "), ("    repeats: 2", "    "), ("  name: nsga2", "  "), ("    population_size: 6", "    "),
        ];
        var (after, indent) = Pick(random, places);
        return Valid.Replace(after, $"{after}\n{indent}{name}: {random.Next(100)}");
    }

    private static string OutOfRange(Random random)
    {
        (string Line, string[] Values)[] fields =
        [
            ("  layer_groups: 2", ["0", "-3", "1025", "100000"]),
            ("  generations: 3", ["0", "-1", "1000001", "999999999"]),
            ("    population_size: 6", ["10001", "2000000000"]),
            ("seed: 7", ["-1", "-100"]),
            ("    weight: [0, 1.5]", ["[2, 1]", "[0]", "[0, 1, 2]"]),
            ("    repeats: 2", ["0", "17", "1000"]),
            ("    fraction: 0.5", ["0", "1.5", "-0.25"]),
        ];
        var (line, values) = Pick(random, fields);
        return Valid.Replace(line, line[..(line.IndexOf(':') + 1)] + " " + Pick(random, values));
    }

    private static string HugeList(Random random)
    {
        int n = random.Next(257, 20_000);
        return random.Next(3) switch
        {
            0 => Valid.Replace("  layer_groups: 2", "  layer_groups: 2\n  seed_weights: [" + string.Join(", ", Enumerable.Repeat("0.5", n)) + "]"),
            1 => Valid.Replace("models:\n  - models/a\n  - models/b\n", "models:\n" + string.Concat(Enumerable.Range(0, n).Select(i => $"  - models/m{i}\n"))),
            _ => Valid.Replace("objectives:\n", "objectives:\n" + string.Concat(Enumerable.Repeat("  - {task: tasks/a.yml, metric: acc}\n", n))),
        };
    }

    private static string Aliases(Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                int levels = random.Next(6, 10);
                var bomb = new StringBuilder("bomb:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
                for (int l = 1; l < levels; l++) bomb.Append(CultureInfo.InvariantCulture, $"  l{l}: &l{l} [{string.Join(", ", Enumerable.Repeat($"*l{l - 1}", 9))}]\n");
                return Valid + bomb;
            case 1:
                return Valid.Replace("seed: 7", "seed: *nowhere");
            case 2:
                return Valid.Replace("  layer_groups: 2", "  layer_groups: 2\n  ranges: &r {weight: [0, *r]}");
            default:
                return Valid.Replace("  layer_groups: 2", "  layer_groups: &g 2\n  seed_weights: [" + string.Join(", ", Enumerable.Repeat("*g", random.Next(1001, 3000))) + "]");
        }
    }

    private static byte[] NonUtf8(Random random)
    {
        byte[][] bad = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF], [0x80]];
        byte[] valid = Encoding.UTF8.GetBytes(Valid);
        int at = random.Next(valid.Length + 1);
        return [.. valid[..at], .. Pick(random, bad), .. valid[at..]];
    }

    private static string Syntax(Random random) => Pick(random,
    [
        Valid.Replace("seed: 7", "seed: 'unterminated"),
        Valid.Replace("seed: 7", "seed: [7"),
        Valid.Replace("seed: 7", "seed: {a: 1"),
        Valid.Replace("seed: 7", "seed: \"x"),
        Valid.Replace("seed: 7", "seed: 7\nseed: 8"),
        Valid.Replace("  layer_groups: 2", "  layer_groups: 2\n layer: 3"),
        Valid.Replace("seed: 7", "seed: 7: 8"),
    ]);

    private static string HugeNumber(Random random)
    {
        (string Line, string[] Values)[] fields =
        [
            ("  layer_groups: 2", ["99999999999999999999999", "1e400", "9223372036854775807"]),
            ("  generations: 3", ["1e23", "-1e400", "18446744073709551616"]),
            ("    population_size: 6", ["99999999999999999999", "1e300", "2147483648"]),
            ("seed: 7", ["1e400", "-9223372036854775809", "0x"]),
        ];
        var (line, values) = Pick(random, fields);
        return Valid.Replace(line, line[..(line.IndexOf(':') + 1)] + " " + Pick(random, values));
    }

    private static byte[] Text(string text) => Encoding.UTF8.GetBytes(text);

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}
