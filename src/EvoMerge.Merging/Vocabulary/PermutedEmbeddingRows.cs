using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Merging.Vocabulary;

/// <summary>
/// mergekit's PermutedEmbeddings for one embedding or head tensor: every input is re-indexed to the output
/// vocabulary. A model keeps its own row for each token it has (unless the token's setting has <c>force</c>); for a
/// token it lacks it gets the token's default row: the <c>tokenizer.tokens</c> source when one is set; else the row of
/// the only model that has it; zeros when no model has it (a warning); the base's row when the base has it; else the
/// mean of the rows of the models that have it. Rows past the vocabulary (<c>pad_to_multiple_of</c>) are the mean of
/// the model's real rows. The rules are fixed when planned; rows are computed when the inputs are loaded.
/// </summary>
public sealed class PermutedEmbeddingRows : IEmbeddingRows
{
    private readonly OutputVocabulary _vocabulary;
    private readonly string[] _paths;
    private readonly TokenRule[] _rules;
    private readonly bool[] _force;

    /// <summary>
    /// Fixes the rules for a tensor whose inputs are the models at <paramref name="inputPaths"/> (base first when the
    /// method takes one). <paramref name="basePath"/> is the slice's base model when it is one of the inputs.
    /// Tokens no input has are reported to <paramref name="warn"/>; a token source naming a model that is not an input
    /// or a token that model lacks is a <see cref="RecipeException"/> naming the recipe line.
    /// </summary>
    public PermutedEmbeddingRows(OutputVocabulary vocabulary, IReadOnlyList<string> inputPaths, string? basePath, IReadOnlyList<PlannedModel> models,
        string recipeFile, string tensorName, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(inputPaths);
        ArgumentNullException.ThrowIfNull(warn);
        _vocabulary = vocabulary;
        _paths = [.. inputPaths];
        int n = vocabulary.Tokens.Count;
        _rules = new TokenRule[n];
        _force = new bool[n];
        var settings = vocabulary.Settings.Tokens.Where(t => t.Source is not null).GroupBy(t => t.Token, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        var forced = vocabulary.Settings.Tokens.GroupBy(t => t.Token, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Force, StringComparer.Ordinal);
        var permutations = _paths.Select(vocabulary.Permutation).ToArray();
        int baseIndex = basePath is null ? -1 : Array.IndexOf(_paths, basePath);
        var missing = new List<string>();
        for (int i = 0; i < n; i++)
        {
            string token = vocabulary.Tokens[i];
            _force[i] = forced.GetValueOrDefault(token);
            if (settings.TryGetValue(token, out var setting))
            {
                _rules[i] = Configured(setting, i, permutations, models, recipeFile);
                continue;
            }
            int present = 0, donor = -1;
            for (int m = 0; m < permutations.Length; m++)
            {
                if (permutations[m][i] < 0) continue;
                present++;
                donor = m;
            }
            _rules[i] = present switch
            {
                1 => new TokenRule(RuleKind.Row, donor, permutations[donor][i]),
                0 => new TokenRule(RuleKind.Zero, -1, -1),
                _ when baseIndex >= 0 && permutations[baseIndex][i] >= 0 => new TokenRule(RuleKind.Row, baseIndex, permutations[baseIndex][i]),
                _ => new TokenRule(RuleKind.Mean, -1, -1),
            };
            if (present == 0) missing.Add(token);
        }
        if (missing.Count > 0)
            warn($"{tensorName}: {missing.Count} token(s) of the output vocabulary are in none of the merged models ({string.Join(", ", missing.Take(5).Select(t => $"'{t}'"))}{(missing.Count > 5 ? ", ..." : "")}); their rows are zeros");
    }

    /// <inheritdoc />
    public (MergeInput? Base, IReadOnlyList<MergeInput> Models) Apply(PlannedTensor tensor, MergeInput? baseInput, IReadOnlyList<MergeInput> models)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(models);
        var inputs = (baseInput is null ? models : models.Prepend(baseInput)).ToArray();
        if (inputs.Length != _paths.Length) throw MergeException.ForTensor(tensor.Name, "the vocabulary rows were planned for other inputs");
        var permutations = _paths.Select(_vocabulary.Permutation).ToArray();
        int n = _rules.Length;
        var defaults = new Dictionary<int, torch.Tensor>();
        torch.Tensor Default(int i)
        {
            if (defaults.TryGetValue(i, out var row)) return row;
            var rule = _rules[i];
            var source = inputs[0].Tensor;
            row = rule.Kind switch
            {
                RuleKind.Row => inputs[rule.Input].Tensor[rule.Row],
                RuleKind.Zero => torch.zeros(source.shape[1], source.dtype),
                _ => Mean(inputs, permutations, i),
            };
            defaults[i] = row;
            return row;
        }

        var mapped = new MergeInput[inputs.Length];
        for (int m = 0; m < inputs.Length; m++)
        {
            var own = permutations[m];
            var old = inputs[m].Tensor;
            using var index = torch.tensor(own.Select(id => (long)Math.Max(id, 0)).ToArray());
            var rows = old.index_select(0, index);
            var fill = Enumerable.Range(0, n).Where(i => own[i] < 0 || _force[i]).ToArray();
            if (fill.Length > 0)
            {
                using var at = torch.tensor(fill.Select(i => (long)i).ToArray());
                using var values = torch.stack(fill.Select(Default).ToArray());
                rows.index_copy_(0, at, values);
            }
            if (_vocabulary.RowCount > n)
            {
                using var mean = rows.mean([0]);
                rows = torch.cat([rows, mean.unsqueeze(0).expand(_vocabulary.RowCount - n, -1)], 0);
            }
            mapped[m] = inputs[m] with { Tensor = rows };
        }
        return baseInput is null ? (null, mapped) : (mapped[0], mapped[1..]);
    }

    private static torch.Tensor Mean(MergeInput[] inputs, IReadOnlyList<int>[] permutations, int token)
    {
        var sum = torch.zeros(inputs[0].Tensor.shape[1], inputs[0].Tensor.dtype);
        int count = 0;
        for (int m = 0; m < inputs.Length; m++)
        {
            if (permutations[m][token] < 0) continue;
            sum.add_(inputs[m].Tensor[permutations[m][token]], ScalarConstants.One);
            count++;
        }
        using var divisor = count.ToScalar();
        return sum.div_(divisor);
    }

    private TokenRule Configured(TokenSetting setting, int token, IReadOnlyList<int>[] permutations, IReadOnlyList<PlannedModel> models, string file)
    {
        int InputOf(Recipes.ModelReference model)
        {
            string path = models.FirstOrDefault(m => m.Path == model.Path)?.Path ?? model.Path;
            int input = Array.IndexOf(_paths, path);
            return input >= 0 ? input : throw new RecipeException(file, setting.Line,
                $"tokenizer.tokens['{setting.Token}'].source: model '{model.Name}' is not an input of the embedding and head tensors");
        }
        switch (setting.Source)
        {
            case TokenRowSource.Zero:
                return new TokenRule(RuleKind.Zero, -1, -1);
            case TokenRowSource.SameToken same:
            {
                int input = InputOf(same.Model);
                int row = permutations[input][token];
                return row >= 0 ? new TokenRule(RuleKind.Row, input, row)
                    : throw new RecipeException(file, setting.Line, $"tokenizer.tokens['{setting.Token}'].source: model '{same.Model.Name}' has no token '{setting.Token}'");
            }
            case TokenRowSource.ModelToken other:
            {
                int input = InputOf(other.Model);
                int row = other.TokenId ?? (_vocabulary.OriginalVocabulary(_paths[input]).TryGetValue(other.Token!, out int id) ? id
                    : throw new RecipeException(file, setting.Line, $"tokenizer.tokens['{setting.Token}'].source: model '{other.Model.Name}' has no token '{other.Token}'"));
                int rows = models.First(m => m.Path == _paths[input]).Directory.Config.VocabSize;
                return row < rows ? new TokenRule(RuleKind.Row, input, row)
                    : throw new RecipeException(file, setting.Line, $"tokenizer.tokens['{setting.Token}'].source: token id {row} is past the {rows} rows of model '{other.Model.Name}'");
            }
            default:
                throw new InvalidOperationException("a token setting without a source has no rule of its own");
        }
    }

    private enum RuleKind
    {
        Row,
        Zero,
        Mean,
    }

    /// <summary>A token's default row: input <paramref name="Input"/>'s row <paramref name="Row"/>, zeros, or the mean over the inputs that have it.</summary>
    private readonly record struct TokenRule(RuleKind Kind, int Input, int Row);
}
