using System.Diagnostics;
using System.Text.Json;
using Pacer.Gateway.Tests.Support;

namespace Pacer.Gateway.Tests.Admin;

/// <summary>The seed's own curl commands (SEED.md), with the host changed to the local gateway, answer the seed's shapes.</summary>
public sealed class SeedCurlTests
{
    private const string SeedKey = "your-admin-api-key";

    [Fact]
    public async Task SeedCurlCommands_AgainstLocalGateway_AnswerTheSeedsShapes()
    {
        await using var gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["PACER_ADMIN_API_KEY"] = SeedKey,
            ["ANTHROPIC_BASE_URL"] = "http://127.0.0.1:9",
        });
        var host = gateway.BaseUrl.ToString().TrimEnd('/');

        // Check Current Status
        using var status = await Curl($"""-X GET "{host}/api/admin/rate-limit-status" -H "X-API-Key: {SeedKey}" """);
        SeedStatusShape(status.RootElement, 50, 5, 3);

        // Update Configuration
        using var updated = await Curl($$"""
            -X POST "{{host}}/api/admin/update-rate-limits" -H "X-API-Key: {{SeedKey}}" -H "Content-Type: application/json" -d '{
                "config": {
                  "maxRequestsPerMinute": 100,
                  "maxConcurrentRequests": 10,
                  "maxRetries": 5
                }
              }'
            """);
        SeedStatusShape(updated.RootElement, 100, 10, 5);

        // Reset to conservative settings (Monitoring Commands)
        using var conservative = await Curl($$"""
            -X POST "{{host}}/api/admin/update-rate-limits" -H "X-API-Key: {{SeedKey}}" -H "Content-Type: application/json" -d '{
                "config": {
                  "maxRequestsPerMinute": 30,
                  "maxConcurrentRequests": 3,
                  "maxRetries": 5
                }
              }'
            """);
        SeedStatusShape(conservative.RootElement, 30, 3, 5);
    }

    private static void SeedStatusShape(JsonElement root, int perMinute, int concurrent, int retries)
    {
        root.GetProperty("success").GetBoolean().ShouldBeTrue();
        var configuration = root.GetProperty("configuration");
        configuration.EnumerateObject().Select(p => p.Name).ShouldBe(["maxRequestsPerMinute", "maxConcurrentRequests", "maxRetries", "baseDelay", "maxDelay", "backoffFactor"]);
        configuration.GetProperty("maxRequestsPerMinute").GetInt32().ShouldBe(perMinute);
        configuration.GetProperty("maxConcurrentRequests").GetInt32().ShouldBe(concurrent);
        configuration.GetProperty("maxRetries").GetInt32().ShouldBe(retries);
        configuration.GetProperty("baseDelay").GetInt32().ShouldBe(1000);
        configuration.GetProperty("maxDelay").GetInt32().ShouldBe(30000);
        configuration.GetProperty("backoffFactor").GetDouble().ShouldBe(2);
        root.GetProperty("currentStatus").EnumerateObject().Select(p => p.Name).ShouldBe(["recentRequests", "currentRequests", "requestsInLastMinute", "timeUntilReset"]);
        root.GetProperty("timestamp").GetString()!.ShouldEndWith("Z");
    }

    /// <summary>Runs curl through a shell exactly as the seed writes it (line continuations and quoting included).</summary>
    private static async Task<JsonDocument> Curl(string arguments)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("curl -s --max-time 20 " + arguments.Trim());
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        process.ExitCode.ShouldBe(0, await errors);
        return JsonDocument.Parse(await output);
    }
}
