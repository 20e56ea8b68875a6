using System.Net;
using System.Text.Json;

namespace Pacer.Simulator.Tests.Hosting;

public sealed class SimulatorHostTests
{
    [Fact]
    public async Task StartAsync_PortZero_ListensOnAFreeLoopbackPort()
    {
        await using var host = await TestSimulator.StartAsync();

        host.BaseAddress.Host.ShouldBe("127.0.0.1");
        host.BaseAddress.Port.ShouldBeGreaterThan(0);
        using var client = TestSimulator.Client(host);
        using var response = await TestSimulator.PostAsync(client, TestSimulator.Body());
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task DisposeAsync_Running_StopsListening()
    {
        var host = await TestSimulator.StartAsync();
        using var client = TestSimulator.Client(host);
        await host.DisposeAsync();

        await Should.ThrowAsync<HttpRequestException>(() => TestSimulator.PostAsync(client, TestSimulator.Body()));
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_ListsEveryInvalidField()
    {
        var options = new Options.SimulatorOptions();
        options.Limits.RequestsPerMinute = 0;
        options.Latency.Jitter = 2;

        var error = await Should.ThrowAsync<ArgumentException>(() => SimulatorHost.StartAsync(options));

        error.Message.ShouldContain("Limits:RequestsPerMinute is 0; allowed 1–100000000.");
        error.Message.ShouldContain("Latency:Jitter is 2; allowed 0–1.");
    }

    [Fact]
    public async Task Reset_AfterRequests_EmptiesTheLogAndRefillsTheBuckets()
    {
        await using var host = await TestSimulator.StartAsync(o => o.Limits.RequestsPerMinute = 1);
        using var client = TestSimulator.Client(host);
        (await TestSimulator.PostAsync(client, TestSimulator.Body())).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await TestSimulator.PostAsync(client, TestSimulator.Body())).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

        host.Reset();

        host.Attempts().ShouldBeEmpty();
        (await TestSimulator.PostAsync(client, TestSimulator.Body())).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Attempts_AfterARequest_RecordKeyIdNotTheKey()
    {
        await using var host = await TestSimulator.StartAsync();
        using var client = TestSimulator.Client(host, "sk-secret-value");
        using var response = await TestSimulator.PostAsync(client, TestSimulator.Body());

        var attempt = host.Attempts().ShouldHaveSingleItem();
        attempt.KeyId.ShouldNotBeNull().ShouldStartWith("key_");
        attempt.KeyId!.Length.ShouldBe(16);
        attempt.Headers.ShouldNotContainKey("x-api-key");
        JsonSerializer.Serialize(attempt).ShouldNotContain("sk-secret-value");
        attempt.Model.ShouldBe("claude-sonnet-4-5");
        attempt.Status.ShouldBe(200);
        attempt.Outcome.ShouldBe("ok");
        attempt.RequestId.ShouldBe(TestSimulator.Header(response, "request-id"));
    }
}
