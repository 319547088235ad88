namespace EvoMerge.Search.Runs;

/// <summary>The files of a run directory.</summary>
public sealed record RunFiles(string Directory)
{
    /// <summary>The config text as given to <c>evomerge search</c>.</summary>
    public string Config => Path.Combine(Directory, "config.yml");

    /// <summary>Where the config came from and the seeds derived from it (JSON).</summary>
    public string Run => Path.Combine(Directory, "run.json");

    /// <summary>The last complete generation's checkpoint.</summary>
    public string Checkpoint => Path.Combine(Directory, "checkpoint.json");

    /// <summary>The Pareto archive in canonical order (what <c>export --member K</c> indexes).</summary>
    public string Archive => Path.Combine(Directory, "archive.json");

    /// <summary>The last told population.</summary>
    public string Population => Path.Combine(Directory, "population.json");

    /// <summary>Per-generation statistics.</summary>
    public string Statistics => Path.Combine(Directory, "statistics.json");

    /// <summary>The base, source and plain-merge reference points, scored once (see <see cref="ReferenceScoring"/>).</summary>
    public string References => Path.Combine(Directory, "references.json");

    /// <summary>The Pareto front plot (PNG).</summary>
    public string FrontPlot => Path.Combine(Directory, "pareto-front.png");

    /// <summary>The hypervolume-per-generation plot (PNG).</summary>
    public string HypervolumePlot => Path.Combine(Directory, "hypervolume.png");

    /// <summary>Every evaluation.</summary>
    public string Evaluations => Path.Combine(Directory, EvaluationLog.FileName);
}
