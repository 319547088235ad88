using System.Text.Json.Nodes;
using EvoMerge.Search.Configuration;
using Xunit;

namespace EvoMerge.Tests.Search.Configuration;

public class JsonSchemaValidatorTests
{
    private static readonly JsonSchemaValidator Validator = new(JsonNode.Parse("""
        {"type": "object", "additionalProperties": false, "required": ["n"],
         "properties": {"n": {"type": "integer", "minimum": 1, "maximum": 3},
                        "x": {"type": "number", "exclusiveMinimum": 0},
                        "list": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/name"}},
                        "pick": {"oneOf": [{"type": "string"}, {"type": "integer"}]}},
         "$defs": {"name": {"type": "string", "enum": ["a", "b"]}}}
        """)!.AsObject());

    [Theory]
    [InlineData("""{"n": 2, "x": 0.5, "list": ["a"], "pick": 3}""", "")]
    [InlineData("""{"n": 0}""", "n: must be ≥ 1")]
    [InlineData("""{"n": 4}""", "n: must be ≤ 3")]
    [InlineData("""{"n": 1.5}""", "n: must be an integer, found 1.5")]
    [InlineData("""{"n": 1, "x": 0}""", "x: must be > 0")]
    [InlineData("""{"n": 1, "list": []}""", "list: must have at least 1 item")]
    [InlineData("""{"n": 1, "list": ["c"]}""", "list[0]: must be one of \"a\", \"b\", found \"c\"")]
    [InlineData("""{"n": 1, "y": 1}""", "y: unknown key 'y' (expected one of: n, x, list, pick)")]
    [InlineData("""{}""", ": missing required key 'n'")]
    [InlineData("""{"n": 1, "pick": true}""", "pick: must be a string, found true")]
    public void ReportsTheFirstViolationWithItsPath(string json, string expected)
    {
        var errors = Validator.Validate(JsonNode.Parse(json));
        Assert.Equal(expected, errors.Count == 0 ? "" : $"{errors[0].Path}: {errors[0].Message}");
    }

    [Fact]
    public void RejectsSchemasUsingKeywordsItDoesNotCheck()
    {
        var e = Assert.Throws<ArgumentException>(() => new JsonSchemaValidator(JsonNode.Parse("""{"type": "string", "pattern": "^a"}""")!.AsObject()));
        Assert.Contains("pattern", e.Message);
    }
}
