namespace Pacer.Simulator.Tests.Api;

public sealed class CountTokensAndModelsTests
{
    [Fact]
    public async Task CountTokens_OverItsOwnLimit_Is429WithoutTouchingMessages()
    {
        await using var host = await TestSimulator.StartAsync(o => o.Limits.CountTokensRequestsPerMinute = 1);
        using var client = TestSimulator.Client(host);

        ((int)(await TestSimulator.PostAsync(client, TestSimulator.Body(), "v1/messages/count_tokens")).StatusCode).ShouldBe(200);
        using var refused = await TestSimulator.PostAsync(client, TestSimulator.Body(), "v1/messages/count_tokens");

        (await refused.ErrorAsync(429, "rate_limit_error")).ShouldContain("count_tokens");
        TestSimulator.Header(refused, "retry-after").ShouldBe("60");
        ((int)(await TestSimulator.PostAsync(client, TestSimulator.Body())).StatusCode).ShouldBe(200);
    }

    [Fact]
    public async Task CountTokens_WithoutMaxTokens_IsAccepted()
    {
        await using var host = await TestSimulator.StartAsync();
        using var client = TestSimulator.Client(host);

        using var response = await TestSimulator.PostAsync(client, """{"model":"claude-3-5-sonnet-20241022","messages":[{"role":"user","content":"Hello there"}]}""", "v1/messages/count_tokens");

        (await response.JsonAsync()).GetProperty("input_tokens").GetInt64().ShouldBe(11);
    }

    [Fact]
    public async Task CountTokens_FaultHeader_AppliesToo()
    {
        await using var host = await TestSimulator.StartAsync();
        using var client = TestSimulator.Client(host);

        using var response = await TestSimulator.PostAsync(client, TestSimulator.Body(), "v1/messages/count_tokens", fault: "529");

        (await response.ErrorAsync(529, "overloaded_error")).ShouldBe("Overloaded");
    }

    [Fact]
    public async Task RandomRates_AllOneFault_EveryRequestGetsIt()
    {
        await using var host = await TestSimulator.StartAsync(o => o.Faults.Rates = "504=1");
        using var client = TestSimulator.Client(host);

        for (var i = 0; i < 3; i++)
        {
            await (await TestSimulator.PostAsync(client, TestSimulator.Body())).ErrorAsync(504, "timeout_error");
        }

        host.Attempts().ShouldAllBe(a => a.FaultSource == "random");
    }

    [Fact]
    public async Task GetModel_IdOrAlias_ReturnsIt_UnknownIs404()
    {
        await using var host = await TestSimulator.StartAsync();
        using var client = TestSimulator.Client(host);
        var ct = TestContext.Current.CancellationToken;

        var model = await (await client.GetAsync("v1/models/claude-3-5-haiku-latest", ct)).JsonAsync();
        using var missing = await client.GetAsync("v1/models/claude-none", ct);

        model.GetProperty("id").GetString().ShouldBe("claude-3-5-haiku-20241022");
        model.GetProperty("type").GetString().ShouldBe("model");
        model.GetProperty("created_at").GetString().ShouldBe("2024-10-22T00:00:00Z");
        await missing.ErrorAsync(404, "not_found_error");
    }

    [Fact]
    public async Task ListModels_Paged_FollowsAfterAndBeforeIds()
    {
        await using var host = await TestSimulator.StartAsync();
        using var client = TestSimulator.Client(host);
        var ct = TestContext.Current.CancellationToken;

        var first = await (await client.GetAsync("v1/models?limit=4", ct)).JsonAsync();
        var last = first.GetProperty("last_id").GetString();
        var second = await (await client.GetAsync($"v1/models?limit=100&after_id={last}", ct)).JsonAsync();
        var back = await (await client.GetAsync($"v1/models?limit=2&before_id={last}", ct)).JsonAsync();
        using var bad = await client.GetAsync("v1/models?limit=0", ct);

        first.GetProperty("data").GetArrayLength().ShouldBe(4);
        first.GetProperty("has_more").GetBoolean().ShouldBeTrue();
        second.GetProperty("data").GetArrayLength().ShouldBe(6);
        second.GetProperty("has_more").GetBoolean().ShouldBeFalse();
        second.GetProperty("last_id").GetString().ShouldBe("claude-3-haiku-20240307");
        back.GetProperty("data").GetArrayLength().ShouldBe(2);
        back.GetProperty("has_more").GetBoolean().ShouldBeTrue();
        await bad.ErrorAsync(400, "invalid_request_error");
    }
}
