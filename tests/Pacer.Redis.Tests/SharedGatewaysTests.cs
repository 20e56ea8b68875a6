using System.Diagnostics;
using System.Net;
using System.Text;

namespace Pacer.Redis.Tests;

/// <summary>Real gateway processes on one Redis, in front of one upstream: they behave as one limiter.</summary>
public sealed class SharedGatewaysTests(RedisServer server)
{
    private const string Body = """{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[{"role":"user","content":"Hello"}]}""";

    [Fact]
    public async Task Gateways_OnOneRedis_NeverLetMoreThanTheConcurrencyReachTheUpstream()
    {
        await using var upstream = new SlowUpstream { Hold = TimeSpan.FromMilliseconds(250) };
        var settings = Settings(upstream, "shared-" + Guid.NewGuid().ToString("N"));
        await using var first = await GatewayProcess.StartAsync(settings);
        await using var second = await GatewayProcess.StartAsync(settings);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => SendAsync(client, i % 2 == 0 ? first : second)));

        answers.ShouldAllBe(status => status == HttpStatusCode.OK, first.Output + second.Output);
        upstream.Served.ShouldBe(16);
        upstream.MaxInFlight.ShouldBe(2);
    }

    [Fact]
    public async Task Gateway_KilledWhileHoldingSlots_ItsSlotsComeBackWithinTheLease()
    {
        await using var upstream = new SlowUpstream { Hold = TimeSpan.FromSeconds(60) };
        var settings = Settings(upstream, "kill-" + Guid.NewGuid().ToString("N"));
        await using var doomed = await GatewayProcess.StartAsync(settings);
        await using var survivor = await GatewayProcess.StartAsync(settings);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var held = new[] { SendAsync(client, doomed), SendAsync(client, doomed) };
        var clock = Stopwatch.StartNew();
        while (upstream.InFlight < 2 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        upstream.InFlight.ShouldBe(2);
        upstream.Hold = TimeSpan.FromMilliseconds(10);

        await doomed.KillAsync();
        var killedAt = Stopwatch.StartNew();
        var answer = await SendAsync(client, survivor);

        answer.ShouldBe(HttpStatusCode.OK, survivor.Output);
        // PACER_REDIS_LEASE_SECONDS=2: the dead process's leases expire within 2 s, then the waiter is admitted.
        killedAt.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(6));
        await Task.WhenAll(held.Select(h => h.ContinueWith(_ => { }, TaskScheduler.Default)));
    }

    [Fact]
    public async Task Gateways_SettingsChangedThroughOne_ReachTheOthersAndLaterStarters()
    {
        await using var upstream = new SlowUpstream { Hold = TimeSpan.FromMilliseconds(10) };
        var settings = Settings(upstream, "settings-" + Guid.NewGuid().ToString("N"));
        settings["PACER_ADMIN_API_KEY"] = AdminKey;
        await using var first = await GatewayProcess.StartAsync(settings);
        await using var second = await GatewayProcess.StartAsync(settings);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        using (var update = new HttpRequestMessage(HttpMethod.Post, new Uri(first.BaseUrl, "/api/admin/update-rate-limits"))
        {
            Content = new StringContent("""{"config":{"maxRequestsPerMinute":120,"maxConcurrentRequests":7}}""", Encoding.UTF8, "application/json"),
        })
        {
            update.Headers.Add("X-API-Key", AdminKey);
            (await client.SendAsync(update, TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        (await WaitForConcurrencyAsync(client, second, 7)).ShouldBe(7, second.Output);
        await using var third = await GatewayProcess.StartAsync(settings);
        (await WaitForConcurrencyAsync(client, third, 7)).ShouldBe(7, third.Output);
    }

    private const string AdminKey = "admin-key-for-the-shared-settings-test";

    private static async Task<int> WaitForConcurrencyAsync(HttpClient client, GatewayProcess gateway, int expected)
    {
        var clock = Stopwatch.StartNew();
        var seen = -1;
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            using var status = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway.BaseUrl, "/api/admin/rate-limit-status"));
            status.Headers.Add("X-API-Key", AdminKey);
            using var response = await client.SendAsync(status);
            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            seen = json.RootElement.GetProperty("configuration").GetProperty("maxConcurrentRequests").GetInt32();
            json.RootElement.GetProperty("gateway").GetProperty("limits").GetString().ShouldNotBeNull().ShouldStartWith("redis: shared by");
            if (seen == expected)
            {
                return seen;
            }

            await Task.Delay(100);
        }

        return seen;
    }

    private Dictionary<string, string> Settings(SlowUpstream upstream, string prefix) => new()
    {
        ["ANTHROPIC_BASE_URL"] = upstream.BaseUrl.ToString().TrimEnd('/'),
        ["ANTHROPIC_CONCURRENT_REQUESTS"] = "2",
        ["ANTHROPIC_RATE_LIMIT_PER_MINUTE"] = "1000",
        ["PACER_BURST"] = "100",
        ["PACER_REDIS_URL"] = server.Url,
        ["PACER_REDIS_PREFIX"] = prefix,
        ["PACER_REDIS_LEASE_SECONDS"] = "2",
    };

    private static async Task<HttpStatusCode> SendAsync(HttpClient client, GatewayProcess gateway)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.BaseUrl, "/v1/messages"))
        {
            Content = new StringContent(Body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-api-key", "sk-ant-test-key");
        request.Headers.Add("anthropic-version", "2023-06-01");
        try
        {
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }
        catch (HttpRequestException)
        {
            return HttpStatusCode.BadGateway;
        }
    }
}
