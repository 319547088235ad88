using EvoMerge.Merging.Vocabulary;
using YamlDotNet.RepresentationModel;

namespace EvoMerge.Merging.Recipes;

/// <summary>
/// The vocabulary keys of a recipe, with mergekit's shapes: <c>tokenizer_source: base | union | MODEL</c>, or
/// <c>tokenizer: {source, tokens: {TOKEN: {source, force}}, pad_to_multiple_of}</c> (never both). A token's
/// <c>source</c> is a model of the recipe, <c>{kind: zero}</c> or <c>{kind: model_token, model, token | token_id}</c>.
/// </summary>
public sealed partial class RecipeReader
{
    private TokenizerSettings? TokenizerSettings(YamlMappingNode root, IReadOnlyList<RecipeSlice> slices, ModelReference? baseModel)
    {
        var sourceNode = Find(root, "tokenizer_source");
        var block = Find(root, "tokenizer");
        if (sourceNode is not null && block is not null)
            throw Error(root.Children.Keys.First(k => k is YamlScalarNode { Value: "tokenizer" }), "give either tokenizer_source: or tokenizer:, not both (as mergekit)");
        var models = slices.SelectMany(s => s.Sources.Select(x => x.Model).Append(s.BaseModel)).Append(baseModel).OfType<ModelReference>().ToList();
        if (sourceNode is not null)
        {
            var (kind, model) = VocabularySource(sourceNode, "tokenizer_source");
            return new TokenizerSettings(kind, model, [], null, Line(sourceNode));
        }
        if (block is null) return null;

        var map = Mapping(block, "tokenizer");
        CheckKeys(map, "tokenizer", ["source", "tokens", "pad_to_multiple_of"]);
        var (blockKind, blockModel) = Find(map, "source") is { } s ? VocabularySource(s, "tokenizer.source") : (VocabularySourceKind.Union, null);
        int? pad = null;
        if (Find(map, "pad_to_multiple_of") is { } padNode)
        {
            double value = Number(padNode, "tokenizer.pad_to_multiple_of");
            if (value < 1 || value != Math.Floor(value) || value > int.MaxValue)
                throw Error(padNode, $"tokenizer.pad_to_multiple_of must be a positive whole number, got {value}");
            pad = (int)value;
        }
        var tokens = new List<TokenSetting>();
        if (Find(map, "tokens") is { } tokensNode)
        {
            foreach (var (key, value) in Mapping(tokensNode, "tokenizer.tokens").Children)
            {
                string token = Key(key, "tokenizer.tokens");
                tokens.Add(Token(token, value, $"tokenizer.tokens['{token}']", models));
            }
        }
        return new TokenizerSettings(blockKind, blockModel, tokens, pad, Line(block));
    }

    private (VocabularySourceKind Kind, ModelReference? Model) VocabularySource(YamlNode node, string label) =>
        String(node, label).Trim() switch
        {
            "base" => (VocabularySourceKind.Base, null),
            "union" => (VocabularySourceKind.Union, null),
            _ => (VocabularySourceKind.Model, Model(node, label)),
        };

    private TokenSetting Token(string token, YamlNode node, string label, List<ModelReference> models)
    {
        if (IsNull(node)) return new TokenSetting(token, null, false, Line(node));
        var map = Mapping(node, label);
        CheckKeys(map, label, ["source", "force"]);
        bool force = false;
        if (Find(map, "force") is { } forceNode)
        {
            var (value, kind) = PlainValue(forceNode as YamlScalarNode ?? throw Error(forceNode, $"{label}.force must be true or false"), $"{label}.force");
            if (kind != ParameterKind.Boolean) throw Error(forceNode, $"{label}.force must be true or false");
            force = value != 0;
        }
        var sourceNode = Find(map, "source");
        TokenRowSource? source = sourceNode switch
        {
            null => null,
            YamlScalarNode => new TokenRowSource.SameToken(RecipeModel(sourceNode, $"{label}.source", models)),
            _ => RowSource(Mapping(sourceNode, $"{label}.source"), $"{label}.source", models),
        };
        return new TokenSetting(token, source, force, Line(map));
    }

    private TokenRowSource RowSource(YamlMappingNode map, string label, List<ModelReference> models)
    {
        var kindNode = Required(map, "kind", label);
        string kind = String(kindNode, $"{label}.kind");
        switch (kind)
        {
            case "zero":
                CheckKeys(map, label, ["kind"]);
                return new TokenRowSource.Zero();
            case "model_token":
                CheckKeys(map, label, ["kind", "model", "token", "token_id"]);
                var model = RecipeModel(Required(map, "model", label), $"{label}.model", models);
                var tokenNode = Find(map, "token");
                var idNode = Find(map, "token_id");
                if ((tokenNode is null) == (idNode is null))
                    throw Error(map, $"{label} needs exactly one of token and token_id");
                if (idNode is not null)
                {
                    double id = Number(idNode, $"{label}.token_id");
                    if (id < 0 || id != Math.Floor(id) || id > int.MaxValue) throw Error(idNode, $"{label}.token_id must be a non-negative whole number, got {id}");
                    return new TokenRowSource.ModelToken(model, null, (int)id);
                }
                return new TokenRowSource.ModelToken(model, String(tokenNode!, $"{label}.token"), null);
            default:
                throw Error(kindNode, $"{label}.kind '{kind}' is not one of: zero, model_token");
        }
    }

    /// <summary>A model named inside <c>tokenizer.tokens</c>: it must be one of the recipe's models (mergekit reads its rows from the merge's inputs).</summary>
    private ModelReference RecipeModel(YamlNode node, string label, List<ModelReference> models)
    {
        var model = Model(node, label);
        if (!models.Any(m => m.SameModelAs(model)))
            throw Error(node, $"{label} '{model.Name}' is not a model of the recipe ({string.Join(", ", models.Select(m => m.Name).Distinct())})");
        return model;
    }
}
