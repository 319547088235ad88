using System.Reflection;
using System.Text.Json.Serialization;

namespace EvoMerge.Search.Monitoring;

/// <summary>The word of each <see cref="WorkerAvailability"/>: its JSON name, so logs and metric labels say what <c>/status</c> says.</summary>
public static class WorkerAvailabilityText
{
    private static readonly Dictionary<WorkerAvailability, string> Words = Enum.GetValues<WorkerAvailability>().ToDictionary(
        value => value,
        value => typeof(WorkerAvailability).GetField(value.ToString())!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()!.Name);

    /// <summary>joining, active, unusable or lost.</summary>
    public static string Text(this WorkerAvailability availability) => Words[availability];
}
