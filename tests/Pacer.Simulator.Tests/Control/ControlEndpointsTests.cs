using System.Net;
using System.Text;
using System.Text.Json;
using Pacer.Simulator.Tests.Api;

namespace Pacer.Simulator.Tests.Control;

public sealed class ControlEndpointsTests
{
    [Fact]
    public async Task PostFaults_Script_AppliesToTheNextRequestsInOrder()
    {
        await using var host = await TestSimulator.StartAsync();
        using var client = TestSimulator.Client(host);
        var ct = TestContext.Current.CancellationToken;

        using var queued = await client.PostAsync("_simulator/faults", new StringContent("429:2,ok", Encoding.UTF8, "text/plain"), ct);
        (await queued.JsonAsync()).GetProperty("pending").GetInt32().ShouldBe(2);

        using var first = await TestSimulator.PostAsync(client, TestSimulator.Body());
        using var second = await TestSimulator.PostAsync(client, TestSimulator.Body());

        await first.ErrorAsync(429, "rate_limit_error");
        TestSimulator.Header(first, "retry-after").ShouldBe("2");
        second.StatusCode.ShouldBe(HttpStatusCode.OK);
        host.Attempts()[0].FaultSource.ShouldBe("queue");
        host.Attempts()[0].Fault.ShouldBe("429:2");
    }

    [Fact]
    public async Task PostFaults_JsonForOneKey_SparesOtherKeys()
    {
        await using var host = await TestSimulator.StartAsync();
        using var target = TestSimulator.Client(host, "sk-target");
        using var other = TestSimulator.Client(host, "sk-other");
        var ct = TestContext.Current.CancellationToken;

        using var queued = await target.PostAsync("_simulator/faults", new StringContent("""{"script":"503","apiKey":"sk-target"}""", Encoding.UTF8, "application/json"), ct);
        queued.StatusCode.ShouldBe(HttpStatusCode.OK);

        ((int)(await TestSimulator.PostAsync(other, TestSimulator.Body())).StatusCode).ShouldBe(200);
        ((int)(await TestSimulator.PostAsync(target, TestSimulator.Body())).StatusCode).ShouldBe(503);
    }

    [Fact]
    public async Task PostFaults_Unreadable_Is400()
    {
        await using var host = await TestSimulator.StartAsync();
        using var client = TestSimulator.Client(host);

        using var response = await client.PostAsync("_simulator/faults", new StringContent("explode", Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.JsonAsync()).GetProperty("error").GetString()!.ShouldContain("Unknown fault 'explode'");
    }

    [Fact]
    public async Task GetAttempts_AfterSequence_ReturnsOnlyLaterAttempts()
    {
        await using var host = await TestSimulator.StartAsync();
        using var client = TestSimulator.Client(host, "sk-log");
        var ct = TestContext.Current.CancellationToken;
        await TestSimulator.PostAsync(client, TestSimulator.Body());
        await TestSimulator.PostAsync(client, TestSimulator.Body(model: "claude-x"));

        var text = await client.GetStringAsync("_simulator/attempts?after=1", ct);

        text.ShouldNotContain("sk-log");
        var data = JsonDocument.Parse(text).RootElement.GetProperty("data");
        data.GetArrayLength().ShouldBe(1);
        data[0].GetProperty("sequence").GetInt64().ShouldBe(2);
        data[0].GetProperty("status").GetInt32().ShouldBe(404);
        data[0].GetProperty("outcome").GetString().ShouldBe("not_found_error");
        data[0].GetProperty("model").GetString().ShouldBe("claude-x");
        data[0].GetProperty("keyId").GetString()!.ShouldStartWith("key_");
    }

    [Fact]
    public async Task PostReset_AfterTraffic_ClearsLogAndBuckets()
    {
        await using var host = await TestSimulator.StartAsync(o => o.Limits.RequestsPerMinute = 1);
        using var client = TestSimulator.Client(host);
        var ct = TestContext.Current.CancellationToken;
        await TestSimulator.PostAsync(client, TestSimulator.Body());

        using var reset = await client.PostAsync("_simulator/reset", null, ct);

        reset.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        host.Attempts().ShouldBeEmpty();
        var limits = JsonDocument.Parse(await client.GetStringAsync("_simulator/limits?apiKey=sk-test-key&model=claude-sonnet-4-5", ct)).RootElement;
        limits.GetProperty("requestsRemaining").GetInt64().ShouldBe(1);
    }
}
