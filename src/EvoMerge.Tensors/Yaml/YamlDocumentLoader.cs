using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace EvoMerge.Tensors.Yaml;

/// <summary>
/// The one way YAML inputs are read: <see cref="ReadText"/> takes a file's text (size checked before reading,
/// strict UTF-8), <see cref="Load"/> parses text into a <see cref="YamlStream"/> under <see cref="YamlLimits"/>.
/// Limits and encoding problems are <see cref="YamlInputException"/>s; syntax errors are YamlDotNet's
/// <see cref="YamlException"/> with the line where parsing stopped.
/// </summary>
public static class YamlDocumentLoader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The text of <paramref name="path"/>, refused when larger than the limit or not UTF-8.</summary>
    public static string ReadText(string path, YamlLimits? limits = null)
    {
        limits ??= YamlLimits.Default;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > limits.MaxBytes)
            throw new YamlInputException(path, null, $"file is {stream.Length} bytes, over the {limits.BytesText()} limit (MaxBytes)");
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return Decode(bytes, path);
    }

    /// <summary>Strict UTF-8 text of <paramref name="bytes"/> without a byte-order mark.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes, string file)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) bytes = bytes[3..];
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new YamlInputException(file, null, $"not UTF-8 text (invalid byte at offset {e.Index})");
        }
    }

    /// <summary>Parses <paramref name="text"/>; <paramref name="file"/> names it in messages.</summary>
    public static YamlStream Load(string text, string file, YamlLimits? limits = null)
    {
        limits ??= YamlLimits.Default;
        if (text.Length > limits.MaxBytes || Encoding.UTF8.GetByteCount(text) > limits.MaxBytes)
            throw new YamlInputException(file, null, $"document is over the {limits.BytesText()} limit (MaxBytes)");
        var parser = new LimitedYamlParser(new Parser(new StringReader(text)), limits, file);
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner fails this way on some malformed flow collections; the last parsed event is nearby.
            var at = parser.Current?.End ?? Mark.Empty;
            throw new YamlException(at, at, e.Message, e);
        }
        return stream;
    }
}
