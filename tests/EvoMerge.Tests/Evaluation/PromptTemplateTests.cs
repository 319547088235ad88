using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

public sealed class PromptTemplateTests
{
    [Fact]
    public void ReplacesColumnsAndUnescapesBraces()
    {
        var template = PromptTemplate.Parse("{{literal}} Q: {question}\nA ({n}): {question}}}");
        Assert.Equal(["question", "n"], template.Columns);
        var values = new Dictionary<string, string> { ["question"] = "sky {color}?", ["n"] = "3" };
        Assert.Equal("{literal} Q: sky {color}?\nA (3): sky {color}?}", template.Render(c => values[c]));
    }

    [Theory]
    [InlineData("Q: {question", "'{' at character 4 is not closed by '}'")]
    [InlineData("Q: question}", "single '}' at character 12")]
    [InlineData("Q: {}", "empty '{}' at character 4")]
    [InlineData("Q: {a{b}", "'{' at character 4 is not closed by '}'")]
    public void UnmatchedBracesAreErrors(string text, string message)
    {
        var error = Assert.Throws<FormatException>(() => PromptTemplate.Parse(text));
        Assert.StartsWith(message, error.Message);
    }
}
