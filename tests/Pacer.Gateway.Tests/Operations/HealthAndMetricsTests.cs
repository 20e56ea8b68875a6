using System.Net;
using Pacer.Gateway.Tests.Support;
using static Pacer.Gateway.Tests.Support.GatewayRequests;

namespace Pacer.Gateway.Tests.Operations;

public sealed class HealthAndMetricsTests
{
    [Fact]
    public async Task HealthAndReadiness_Running_200WithChecks()
    {
        await using var setup = await SimulatedGateway.StartAsync();

        using var health = await setup.Client.GetAsync("/healthz");
        using var ready = await setup.Client.GetAsync("/readyz");

        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await ready.Content.ReadAsStringAsync();
        text.ShouldContain("\"status\":\"ready\"");
        text.ShouldContain("\"store\":\"ok\"");
    }

    [Fact]
    public async Task Readiness_StoreGone_503NamingTheStore()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        // The gateway's background writers may open the file again between the delete and the directory: try again (bounded).
        for (var attempt = 1; ; attempt++)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            File.Delete(Path.Combine(setup.Gateway.Folder, "pacer.db"));
            File.Delete(Path.Combine(setup.Gateway.Folder, "pacer.db-wal"));
            File.Delete(Path.Combine(setup.Gateway.Folder, "pacer.db-shm"));
            try
            {
                Directory.CreateDirectory(Path.Combine(setup.Gateway.Folder, "pacer.db"));
                break;
            }
            catch (IOException) when (attempt < 20)
            {
            }
        }

        using var ready = await setup.Client.GetAsync("/readyz");

        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        (await ready.Content.ReadAsStringAsync()).ShouldContain("\"store\":\"unreachable");
        Directory.Delete(Path.Combine(setup.Gateway.Folder, "pacer.db"));
    }

    [Fact]
    public async Task Metrics_AfterRequests_PrometheusTextWithGatewayAndEngineInstruments()
    {
        await using var setup = await SimulatedGateway.StartAsync();
        (await setup.Client.SendAsync(Message())).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await setup.Client.SendAsync(Message(stream: true))).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var metrics = await setup.Client.GetAsync("/metrics");

        metrics.StatusCode.ShouldBe(HttpStatusCode.OK);
        var text = await metrics.Content.ReadAsStringAsync();
        text.ShouldContain("pacer_gateway_requests_total{");
        text.ShouldContain("route=\"messages\"");
        text.ShouldContain("status=\"200\"");
        text.ShouldContain("pacer_gateway_request_duration_seconds_bucket");
        text.ShouldContain("pacer_gateway_tokens_output_total");
        text.ShouldMatch(@"(?s).*\npacer_[a-z_]*attempts[a-z_]*\{?.*");
        text.ShouldNotContain("sk-ant-test-key");
    }
}
