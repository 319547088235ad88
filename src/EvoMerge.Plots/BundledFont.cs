using System.Reflection;
using ScottPlot;
using SkiaSharp;

namespace EvoMerge.Plots;

/// <summary>
/// DejaVu Sans (regular and bold, Bitstream Vera licence, see Fonts/LICENSE-DejaVu.txt), embedded in this assembly
/// and given to ScottPlot as a font resolver, so plots carry text on a machine with no system fonts or fontconfig
/// (SkiaSharp's NoDependencies natives find none there) and render the same everywhere.
/// </summary>
public sealed class BundledFont : IFontResolver
{
    /// <summary>The font family name plots use.</summary>
    public const string Name = "DejaVu Sans";

    private static readonly Lock Gate = new();
    private static bool _registered;
    private readonly SKData _regular = Load("DejaVuSans.ttf");
    private readonly SKData _bold = Load("DejaVuSans-Bold.ttf");

    /// <summary>Registers the resolver with ScottPlot (once per process).</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (_registered) return;
            Fonts.FontResolvers.Insert(0, new BundledFont());
            _registered = true;
        }
    }

    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
        fontName == Name ? SKTypeface.FromData(bold ? _bold : _regular) : null;

    public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) =>
        CreateTypeface(fontName, weight >= FontWeight.SemiBold, slant != FontSlant.Upright);

    /// <summary>A new typeface of the bundled font, for text drawn directly on a canvas.</summary>
    public static SKTypeface Typeface(bool bold) => SKTypeface.FromData(Load(bold ? "DejaVuSans-Bold.ttf" : "DejaVuSans.ttf"));

    private static SKData Load(string file)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("EvoMerge.Plots.Fonts." + file)
            ?? throw new InvalidOperationException($"embedded font {file} is missing from {typeof(BundledFont).Assembly.Location}");
        return SKData.Create(stream);
    }
}
