using System.Text.Json.Serialization;

namespace EvoMerge.Search.Monitoring;

/// <summary>
/// Whether an evaluation worker of a cluster run takes work. Written as its lowercase word (<c>joining</c>,
/// <c>active</c>, <c>unusable</c>, <c>lost</c>) in <c>/status</c>, logs and metric labels (see
/// <see cref="WorkerAvailabilityText"/>).
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<WorkerAvailability>))]
public enum WorkerAvailability
{
    /// <summary>Joined the cluster, not answering pings yet.</summary>
    [JsonStringEnumMemberName("joining")]
    Joining,

    /// <summary>Answers pings and takes work.</summary>
    [JsonStringEnumMemberName("active")]
    Active,

    /// <summary>Failed to load or evaluate; gets no more work.</summary>
    [JsonStringEnumMemberName("unusable")]
    Unusable,

    /// <summary>Left the cluster, was replaced, stopped answering or could not be sent work.</summary>
    [JsonStringEnumMemberName("lost")]
    Lost,
}
