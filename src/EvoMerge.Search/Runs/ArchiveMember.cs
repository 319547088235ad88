using System.Text.Json.Serialization;
using EvoMerge.Optimization;

namespace EvoMerge.Search.Runs;

/// <summary>A candidate in the Pareto archive: recipe hash, genome, objective values and constraint scores (own direction), generation first seen.</summary>
[JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
public sealed record ArchiveMember(string Hash, Genome Genome, double[] Objectives, double[] Constraints, int Generation);
