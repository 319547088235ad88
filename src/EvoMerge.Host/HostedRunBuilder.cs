using System.Net;
using Microsoft.AspNetCore.Builder;

namespace EvoMerge.Host;

/// <summary>A hosted run's host builder as <see cref="SearchHost.CreateBuilder"/> prepares it, with the settings read and the endpoint chosen.</summary>
/// <param name="Builder">The builder (logging, shutdown timeout and Kestrel configured).</param>
/// <param name="Options">The validated settings.</param>
/// <param name="Endpoint">Where <c>/metrics</c>, <c>/healthz</c> and <c>/status</c> are served.</param>
/// <param name="Fallback">A warning when the default port was taken and another is used, else null.</param>
internal sealed record HostedRunBuilder(WebApplicationBuilder Builder, SearchHostOptions Options, IPEndPoint Endpoint, string? Fallback);
