using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace EvoMerge.Optimization;

/// <summary>
/// One candidate: real genes and categorical choices. Equality compares the contents (0.0 and −0.0 are equal);
/// <see cref="Key"/> is a canonical text form that equal genomes share, used for caching and duplicate detection.
/// Treat the arrays as read-only once a genome has been handed out.
/// </summary>
public sealed record Genome(double[] Reals, int[] Categories)
{
    private string? _key;

    private Genome(Genome original)
    {
        Reals = original.Reals;
        Categories = original.Categories;
    }

    /// <summary>A genome of real genes only.</summary>
    public static Genome OfReals(params double[] reals) => new(reals, []);

    /// <summary>Canonical text: round-trip real values, then categories, e.g. <c>0.25,1|2,0</c>.</summary>
    [JsonIgnore]
    public string Key => _key ??= BuildKey();

    /// <summary>A deep copy.</summary>
    public Genome Copy() => new((double[])Reals.Clone(), (int[])Categories.Clone());

    public override string ToString() => $"Genome({Key})";

    public bool Equals(Genome? other)
    {
        if (other is null)
        {
            return false;
        }
        if (ReferenceEquals(this, other))
        {
            return true;
        }
        if (Reals.Length != other.Reals.Length || !Categories.AsSpan().SequenceEqual(other.Categories))
        {
            return false;
        }
        for (int i = 0; i < Reals.Length; i++)
        {
            if (!Reals[i].Equals(other.Reals[i]))
            {
                return false;
            }
        }
        return true;
    }

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (double x in Reals)
        {
            hash.Add(x == 0.0 ? 0.0 : x);
        }
        hash.Add(-1);
        foreach (int c in Categories)
        {
            hash.Add(c);
        }
        return hash.ToHashCode();
    }

    private string BuildKey()
    {
        var text = new StringBuilder(Reals.Length * 20 + Categories.Length * 3 + 1);
        for (int i = 0; i < Reals.Length; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }
            double x = Reals[i] == 0.0 ? 0.0 : Reals[i];
            text.Append(x.ToString("R", CultureInfo.InvariantCulture));
        }
        text.Append('|');
        for (int j = 0; j < Categories.Length; j++)
        {
            if (j > 0)
            {
                text.Append(',');
            }
            text.Append(Categories[j].ToString(CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }
}
