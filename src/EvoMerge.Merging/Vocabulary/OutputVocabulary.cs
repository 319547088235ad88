using System.Text.Json.Nodes;
using EvoMerge.Merging.Execution;

namespace EvoMerge.Merging.Vocabulary;

/// <summary>
/// The output vocabulary of a merge with tokenizer settings, built as mergekit's build_tokenizer does, and for every
/// input model the permutation new id → its own id (−1 when it lacks the token).
/// <list type="bullet">
/// <item>The base vocabulary is the base model's (else the first model's) tokenizer with every token whose id is at or
/// past its config's vocab_size removed (with the merges using it).</item>
/// <item><c>base</c>: that vocabulary; <c>MODEL</c>: that model's tokenizer unchanged; <c>union</c>: the base vocabulary,
/// then every other model's tokens it lacks (models in recipe order, tokens in id order) as new added tokens
/// (plain tokens non-special and normalized, as transformers' add_tokens makes them; added tokens with their own flags,
/// the first model's flags winning).</item>
/// <item>The tokens of <c>tokenizer.tokens</c> the vocabulary lacks are appended last, as plain added tokens.</item>
/// </list>
/// </summary>
public sealed class OutputVocabulary
{
    private readonly Dictionary<string, int[]> _permutations;
    private readonly Dictionary<string, IReadOnlyDictionary<string, int>> _originals;

    private OutputVocabulary(TokenizerSettings settings, PlannedModel source, string[] tokens, Dictionary<string, int[]> permutations,
        Dictionary<string, IReadOnlyDictionary<string, int>> originals, JsonObject? tokenizerJson, List<JsonObject> newAdded)
    {
        Settings = settings;
        Source = source;
        Tokens = tokens;
        _permutations = permutations;
        _originals = originals;
        TokenizerJson = tokenizerJson;
        NewAdded = newAdded;
        int pad = settings.PadToMultipleOf ?? 1;
        RowCount = (tokens.Length + pad - 1) / pad * pad;
    }

    /// <summary>The recipe's settings.</summary>
    public TokenizerSettings Settings { get; }

    /// <summary>The model whose tokenizer files the output's start from (the base for base and union, else the named model).</summary>
    public PlannedModel Source { get; }

    /// <summary>The output tokens by id.</summary>
    public IReadOnlyList<string> Tokens { get; }

    /// <summary>Embedding and head rows of the output: the token count rounded up to <c>pad_to_multiple_of</c>.</summary>
    public int RowCount { get; }

    /// <summary>The output tokenizer.json, or null when <see cref="Source"/>'s files are copied unchanged.</summary>
    public JsonObject? TokenizerJson { get; }

    /// <summary>The added_tokens entries appended to the source's (for tokenizer_config.json's added_tokens_decoder).</summary>
    public IReadOnlyList<JsonObject> NewAdded { get; }

    /// <summary>For output id i, the row of the same token in the model at <paramref name="modelPath"/>, or −1.</summary>
    public IReadOnlyList<int> Permutation(string modelPath) => _permutations[modelPath];

    /// <summary>The model's own vocabulary (token → its id), for <c>{kind: model_token, token: T}</c>.</summary>
    public IReadOnlyDictionary<string, int> OriginalVocabulary(string modelPath) => _originals[modelPath];

    /// <summary>
    /// Builds the vocabulary. <paramref name="baseModel"/> is the base (else the first model), <paramref name="models"/>
    /// every model of the recipe in order, <paramref name="named"/> the model of <c>tokenizer_source: MODEL</c>.
    /// Returns null (with a warning) when the tokenizer the output starts from has no readable tokenizer.json and
    /// nothing needs building (base or a model; no tokens, no padding): its files are copied and embeddings merged as
    /// they are. A model other than the base whose tokenizer.json is missing or unreadable is taken to share the
    /// base's vocabulary (a warning), as mergekit does when a tokenizer fails to load.
    /// </summary>
    public static OutputVocabulary? Build(TokenizerSettings settings, PlannedModel baseModel, IReadOnlyList<PlannedModel> models, PlannedModel? named,
        Action<string> warn)
    {
        var source = settings.Kind == VocabularySourceKind.Model ? named! : baseModel;
        bool copyable = settings.Kind != VocabularySourceKind.Union && settings.Tokens.Count == 0 && settings.PadToMultipleOf is null;
        string sourceFile = System.IO.Path.Combine(source.Path, ModelVocabulary.FileName);
        if (copyable && Unreadable(source) is { } problem)
        {
            warn($"{problem}; the tokenizer files of '{source.Name}' are copied and no vocabulary is rebuilt");
            return null;
        }
        if (!File.Exists(sourceFile))
            throw new InvalidDataException($"{sourceFile}: not found; a union vocabulary or the tokenizer: block needs the tokenizer of '{source.Name}'");
        var fullBase = ModelVocabulary.Read(baseModel.Path, baseModel.Directory.Config.VocabSize);
        var baseVocabulary = Stripped(fullBase);
        var vocabularies = new Dictionary<string, ModelVocabulary>(StringComparer.Ordinal) { [baseModel.Path] = baseVocabulary };
        foreach (var model in models.Where(m => !vocabularies.ContainsKey(m.Path)))
        {
            if (Unreadable(model) is { } unreadable)
                warn($"{unreadable}; '{model.Name}' is taken to share the vocabulary of '{baseModel.Name}' (as mergekit)");
            else
                vocabularies[model.Path] = ModelVocabulary.Read(model.Path, model.Directory.Config.VocabSize);
        }

        var (document, ordered) = settings.Kind switch
        {
            VocabularySourceKind.Base => (baseVocabulary.Document.DeepClone().AsObject(), ByIdWithCheck(baseVocabulary)),
            VocabularySourceKind.Model => Unchanged(ModelVocabulary.Read(named!.Path, named.Directory.Config.VocabSize)),
            _ => (baseVocabulary.Document.DeepClone().AsObject(), ByIdWithCheck(baseVocabulary)),
        };
        var tokens = new List<string>(ordered);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < tokens.Count; i++) index[tokens[i]] = i;
        var newAdded = new List<JsonObject>();
        var addedList = document["added_tokens"] as JsonArray ?? [];
        document["added_tokens"] = addedList;

        void Add(JsonObject entry)
        {
            string content = ModelVocabulary.Content(entry)!;
            if (index.ContainsKey(content)) return;
            var copy = entry.DeepClone().AsObject();
            copy["id"] = tokens.Count;
            index[content] = tokens.Count;
            tokens.Add(content);
            addedList.Add(copy);
            newAdded.Add(copy);
        }

        if (settings.Kind == VocabularySourceKind.Union)
        {
            var plain = new List<string>();
            var added = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
            foreach (var vocabulary in vocabularies.Values)
            {
                foreach (var (token, id) in vocabulary.Tokens.OrderBy(t => t.Value))
                {
                    if (id < vocabulary.Rows && !vocabulary.IsAdded(token)) plain.Add(token);
                }
                foreach (var entry in vocabulary.Added)
                {
                    string content = ModelVocabulary.Content(entry)!;
                    if (vocabulary.Tokens[content] >= vocabulary.Rows) continue;
                    if (added.TryGetValue(content, out var first))
                    {
                        if (!Flags(first).SequenceEqual(Flags(entry)))
                            warn($"{vocabulary.Path}: added token '{content}' has other settings than in an earlier model; the first model's are used (as mergekit)");
                        continue;
                    }
                    added[content] = entry;
                }
            }
            foreach (string token in plain.Distinct(StringComparer.Ordinal).Where(t => !added.ContainsKey(t)))
                Add(PlainAddedToken(token));
            foreach (var entry in added.Values) Add(entry);
        }
        foreach (var setting in settings.Tokens) Add(PlainAddedToken(setting.Token));

        var permutations = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var model in models)
        {
            var own = vocabularies.GetValueOrDefault(model.Path) ?? baseVocabulary;
            int rows = model.Directory.Config.VocabSize;
            permutations[model.Path] = tokens.Select(t => own.Tokens.TryGetValue(t, out int id) && id < rows ? id : -1).ToArray();
        }
        var originals = models.ToDictionary(m => m.Path, m => (vocabularies.GetValueOrDefault(m.Path) ?? baseVocabulary).Tokens, StringComparer.Ordinal);
        bool unchanged = newAdded.Count == 0 && (settings.Kind == VocabularySourceKind.Model || ReferenceEquals(baseVocabulary, fullBase));
        return new OutputVocabulary(settings, settings.Kind == VocabularySourceKind.Model ? named! : baseModel, [.. tokens], permutations, originals,
            unchanged ? null : document, newAdded);
    }

    /// <summary>Why a model's tokenizer.json cannot be read as a BPE vocabulary, or null when it can.</summary>
    private static string? Unreadable(PlannedModel model)
    {
        string file = System.IO.Path.Combine(model.Path, ModelVocabulary.FileName);
        if (!File.Exists(file)) return $"{file}: not found";
        try
        {
            ModelVocabulary.Read(model.Path, model.Directory.Config.VocabSize);
            return null;
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }
    }

    private static (JsonObject, List<string>) Unchanged(ModelVocabulary vocabulary) => (vocabulary.Document.DeepClone().AsObject(), ByIdWithCheck(vocabulary));

    /// <summary>The tokens by id; ids must run 0..N−1 without gaps (the embedding rows are indexed by them).</summary>
    private static List<string> ByIdWithCheck(ModelVocabulary vocabulary)
    {
        var ordered = vocabulary.Tokens.OrderBy(t => t.Value).ToList();
        for (int i = 0; i < ordered.Count; i++)
        {
            if (ordered[i].Value != i)
                throw new InvalidDataException($"{vocabulary.Path}: field 'model.vocab' has no token with id {i} (ids must run from 0 without gaps to merge vocabularies)");
        }
        return ordered.Select(t => t.Key).ToList();
    }

    /// <summary>mergekit's get_stripped_tokenizer: tokens with ids at or past the config's vocab_size, and merges using them, removed.</summary>
    private static ModelVocabulary Stripped(ModelVocabulary vocabulary)
    {
        var unused = vocabulary.Tokens.Where(t => t.Value >= vocabulary.Rows).Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        if (unused.Count == 0) return vocabulary;
        var document = vocabulary.Document.DeepClone().AsObject();
        var model = document["model"]!.AsObject();
        var vocab = model["vocab"]!.AsObject();
        foreach (string token in unused) vocab.Remove(token);
        if (model["merges"] is JsonArray merges)
        {
            var kept = merges.Where(m => !MergeParts(m).Any(unused.Contains)).Select(m => m!.DeepClone()).ToArray();
            model["merges"] = new JsonArray(kept);
        }
        if (document["added_tokens"] is JsonArray added)
            document["added_tokens"] = new JsonArray(added.Where(a => !unused.Contains(ModelVocabulary.Content(a!.AsObject())!)).Select(a => a!.DeepClone()).ToArray());
        return ModelVocabulary.From(vocabulary.Path, document, vocabulary.Rows);
    }

    private static IEnumerable<string> MergeParts(JsonNode? merge) => merge switch
    {
        JsonArray pair => pair.Select(p => p!.GetValue<string>()),
        JsonValue text => text.GetValue<string>().Split(' '),
        _ => [],
    };

    private static JsonObject PlainAddedToken(string token) => new()
    {
        ["id"] = 0, ["content"] = token, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = true, ["special"] = false,
    };

    private static readonly string[] FlagNames = ["single_word", "lstrip", "rstrip", "normalized", "special"];

    private static IEnumerable<string> Flags(JsonObject entry) => FlagNames.Select(k => entry[k]?.ToJsonString() ?? "null");
}
