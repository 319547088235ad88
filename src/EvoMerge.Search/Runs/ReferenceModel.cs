using System.Text.Json.Serialization;

namespace EvoMerge.Search.Runs;

/// <summary>What a reference point of a run is: the base model, a source model, or a plain merge of the sources.</summary>
public enum ReferenceKind
{
    /// <summary>The base model as it is.</summary>
    Base,

    /// <summary>A source model as it is.</summary>
    Source,

    /// <summary>A plain merge of all sources with textbook settings (no search).</summary>
    Baseline,
}

/// <summary>
/// A model a search is compared with, scored once on the run's objectives like a candidate (fully, no cheap-first or racing):
/// its label (the model directory's name, or the baseline's recipe in short), kind, objective values in their own
/// direction (NaN when it could not be scored, with the reason), and whether the values came from the per-machine
/// score cache (<c>from_cache</c> in <c>references.json</c>) rather than being scored in this run.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record ReferenceModel(string Label, ReferenceKind Kind, double[] Objectives, string? Reason = null, bool FromCache = false)
{
    /// <summary>True when every objective was scored.</summary>
    [JsonIgnore]
    public bool IsScored => Objectives.All(double.IsFinite);
}
