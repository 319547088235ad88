using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// A fact that needs a real Prometheus server and promtool: it runs where both are on PATH, and under CI=true (where
/// their absence is a failure: .ci/run installs them); elsewhere it is reported as skipped, with the reason.
/// </summary>
public sealed class PrometheusToolsFactAttribute : FactAttribute
{
    public PrometheusToolsFactAttribute()
    {
        if (!MonitoredSearch.ScrapeCheckRequired)
            Skip = "prometheus and promtool are not on PATH (bash deploy/install-prometheus.sh installs them); the real-Prometheus scrape check did not run";
    }
}
