using EvoMerge.Search.Configuration;

namespace EvoMerge.Search.Sweeps;

/// <summary>A sweep config: the search config it is (models, objectives as the dev tasks, merge dtype, run_dir) and its <c>sweep:</c> block.</summary>
/// <param name="Search">The config without its <c>sweep:</c> block, read as a search config.</param>
/// <param name="Sweep">What the sweep evaluates.</param>
/// <param name="Text">The config text as given (saved in the run directory for <c>--resume</c>).</param>
public sealed record SweepConfig(SearchConfig Search, SweepSettings Sweep, string Text);
