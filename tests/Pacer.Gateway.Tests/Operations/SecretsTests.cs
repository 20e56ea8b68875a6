using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Testing;
using Pacer.Gateway.Tests.Support;
using static Pacer.Gateway.Tests.Support.GatewayRequests;

namespace Pacer.Gateway.Tests.Operations;

/// <summary>No API key, upstream key or admin key appears in any log line (captured down to trace level) or error body.</summary>
public sealed class SecretsTests
{
    private const string CallerKey = "sk-ant-caller-SECRET-7f3a9c";
    private const string UpstreamKey = "sk-ant-upstream-SECRET-51be02";

    [Fact]
    public async Task Passthrough_SuccessFailureAndRefusals_NoKeyInLogsOrBodies()
    {
        await using var setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?> { ["ANTHROPIC_MAX_RETRIES"] = "1" });
        setup.Simulator.QueueFaults("529*2,500,ok");
        var bodies = new List<string>();

        await Collect(bodies, setup.Client.SendAsync(Message(CallerKey)));
        await Collect(bodies, setup.Client.SendAsync(Message(CallerKey, stream: true, bearer: true)));
        await Collect(bodies, setup.Client.SendAsync(Message(CallerKey)));
        await Collect(bodies, setup.Client.SendAsync(Admin(HttpMethod.Get, "/api/admin/rate-limit-status", TestGateway.AdminKey)));
        await Collect(bodies, setup.Client.SendAsync(Admin(HttpMethod.Get, "/api/admin/rate-limit-status", TestGateway.AdminKey + "-wrong")));
        await Collect(bodies, setup.Client.SendAsync(Admin(HttpMethod.Post, "/api/admin/update-rate-limits", TestGateway.AdminKey, """{"config":{"maxRetries":99}}""")));

        bodies.Count.ShouldBe(6);
        AssertNoSecret(bodies, setup.Gateway.Logs, CallerKey, TestGateway.AdminKey);
    }

    [Fact]
    public async Task Managed_UpstreamKeyAndIssuedKeys_NeverLoggedOrReturned()
    {
        await using var setup = await SimulatedGateway.StartAsync(new Dictionary<string, string?>
        {
            ["PACER_AUTH_MODE"] = "managed",
            ["ANTHROPIC_API_KEY"] = UpstreamKey,
        });
        var bodies = new List<string>();
        using var created = await setup.Client.SendAsync(Admin(HttpMethod.Post, "/api/admin/keys", TestGateway.AdminKey, """{"user":"dana"}"""));
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var issued = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("secret").GetString()!;

        await Collect(bodies, setup.Client.SendAsync(Message(issued)));
        await Collect(bodies, setup.Client.SendAsync(Message(issued, stream: true)));
        await Collect(bodies, setup.Client.SendAsync(Message(issued + "x")));
        await Collect(bodies, setup.Client.SendAsync(Admin(HttpMethod.Get, "/api/admin/keys", TestGateway.AdminKey)));

        bodies[0].ShouldContain("\"type\":\"message\"");
        bodies[2].ShouldContain("authentication_error");
        AssertNoSecret(bodies, setup.Gateway.Logs, UpstreamKey, issued, TestGateway.AdminKey);
    }

    private static HttpRequestMessage Admin(HttpMethod method, string path, string key, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-API-Key", key);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    private static async Task Collect(List<string> bodies, Task<HttpResponseMessage> sending)
    {
        using var response = await sending.WaitAsync(TimeSpan.FromSeconds(20));
        bodies.Add(await response.Content.ReadAsStringAsync().WaitAsync(TimeSpan.FromSeconds(20)) + string.Join("\n", response.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}")));
    }

    private static void AssertNoSecret(List<string> bodies, FakeLogCollector logs, params string[] secrets)
    {
        var records = logs.GetSnapshot();
        records.Count.ShouldBeGreaterThan(10);
        var logText = string.Join("\n", records.Select(r =>
            $"{r.Message} {r.Exception} {string.Join(",", r.StructuredState?.Select(p => $"{p.Key}={p.Value}") ?? [])} {string.Join(",", r.Scopes.Select(s => s?.ToString()))}"));
        foreach (var secret in secrets)
        {
            logText.ShouldNotContain(secret);
            bodies.ShouldAllBe(b => !b.Contains(secret, StringComparison.Ordinal));

            // Not even a fragment long enough to narrow a guess.
            logText.ShouldNotContain(secret[^12..]);
        }
    }
}
