using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace EvoMerge.Tests.Inference.Tokenization;

/// <summary>tests/fixtures/tokenizers/expected-ids.json: the corpus and, per fixture tokenizer, HuggingFace's ids and decode.</summary>
public sealed record ExpectedIds(
    [property: JsonPropertyName("fixtures")] Dictionary<string, FixtureSource> Fixtures,
    [property: JsonPropertyName("variants")] Dictionary<string, FixtureVariant> Variants,
    [property: JsonPropertyName("cases")] List<ExpectedCase> Cases);

/// <summary>Where a fixture tokenizer came from.</summary>
public sealed record FixtureSource(
    [property: JsonPropertyName("package")] string Package,
    [property: JsonPropertyName("version")] string Version);

/// <summary>A fixture's tokenizer.json with some top-level fields replaced (expected ids from HF's Rust tokenizers).</summary>
public sealed record FixtureVariant(
    [property: JsonPropertyName("base")] string Base,
    [property: JsonPropertyName("replace")] JsonObject Replace);

/// <summary>One corpus string and what each fixture tokenizer gives for it.</summary>
public sealed record ExpectedCase(
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("tokenizers")] Dictionary<string, ExpectedEncoding> Tokenizers);

/// <summary>
/// HF ids without special tokens, with them (only where they differ), and HF's decode of the ids without special tokens.
/// </summary>
public sealed record ExpectedEncoding(
    [property: JsonPropertyName("ids")] int[] Ids,
    [property: JsonPropertyName("ids_with_special_tokens")] int[]? IdsWithSpecialTokens,
    [property: JsonPropertyName("decoded")] string Decoded);
