using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Tests.Api;

public sealed class MessagesEndpointTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Post_NonStreaming_ReturnsAMessageWhoseUsageMatchesCountTokens()
    {
        await using var host = await TestSimulator.StartAsync();
        using var client = TestSimulator.Client(host);
        const string body = """{"model":"claude-sonnet-4-5","max_tokens":300,"system":"Be brief.","messages":[{"role":"user","content":"What is a token bucket?"},{"role":"assistant","content":"A limiter."},{"role":"user","content":[{"type":"text","text":"Say more, please."}]}]}""";

        using var response = await TestSimulator.PostAsync(client, body);
        using var count = await TestSimulator.PostAsync(client, body, "v1/messages/count_tokens");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        TestSimulator.ContentType(response)!.MediaType.ShouldBe("application/json");
        var message = await response.JsonAsync();
        message.GetProperty("id").GetString()!.ShouldStartWith("msg_");
        message.GetProperty("type").GetString().ShouldBe("message");
        message.GetProperty("role").GetString().ShouldBe("assistant");
        message.GetProperty("model").GetString().ShouldBe("claude-sonnet-4-5-20250929");
        var usage = message.GetProperty("usage");
        var inputTokens = usage.GetProperty("input_tokens").GetInt64();
        inputTokens.ShouldBe((await count.JsonAsync()).GetProperty("input_tokens").GetInt64());
        inputTokens.ShouldBe(37); // 3 + 3 × 4 framing, 8 + 4 + 6 message tokens, 4 system tokens
        var text = message.GetProperty("content")[0].GetProperty("text").GetString()!;
        usage.GetProperty("output_tokens").GetInt64().ShouldBe(Simulator.Messages.TokenCounter.Count(text));
        message.GetProperty("stop_reason").GetString().ShouldBeOneOf("end_turn", "max_tokens");
    }

    [Fact]
    public async Task Post_SamePromptTwice_SameReply()
    {
        await using var host = await TestSimulator.StartAsync(o => o.Seed = 7);
        using var client = TestSimulator.Client(host);

        var first = await (await TestSimulator.PostAsync(client, TestSimulator.Body(content: "Same prompt"))).JsonAsync();
        var second = await (await TestSimulator.PostAsync(client, TestSimulator.Body(content: "Same prompt"))).JsonAsync();
        var other = await (await TestSimulator.PostAsync(client, TestSimulator.Body(content: "Other prompt"))).JsonAsync();

        second.GetProperty("content").GetRawText().ShouldBe(first.GetProperty("content").GetRawText());
        other.GetProperty("content").GetRawText().ShouldNotBe(first.GetProperty("content").GetRawText());
    }

    [Fact]
    public async Task Post_EveryResponse_CarriesAllRateLimitHeaders()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = await TestSimulator.StartAsync(time: time);
        using var client = TestSimulator.Client(host);

        using var response = await TestSimulator.PostAsync(client, TestSimulator.Body(maxTokens: 2_000));

        TestSimulator.Header(response, "anthropic-ratelimit-requests-limit").ShouldBe("50");
        TestSimulator.Header(response, "anthropic-ratelimit-requests-remaining").ShouldBe("49");
        TestSimulator.Header(response, "anthropic-ratelimit-requests-reset").ShouldBe("2026-03-01T12:00:02Z"); // 1.2 s, rounded up
        TestSimulator.Header(response, "anthropic-ratelimit-input-tokens-limit").ShouldBe("30000");
        TestSimulator.Header(response, "anthropic-ratelimit-input-tokens-remaining").ShouldBe("30000");
        TestSimulator.Header(response, "anthropic-ratelimit-output-tokens-limit").ShouldBe("8000");
        TestSimulator.Header(response, "anthropic-ratelimit-tokens-limit").ShouldBe("38000");
        TestSimulator.Header(response, "anthropic-ratelimit-tokens-reset").ShouldNotBeEmpty();
        TestSimulator.Header(response, "request-id").ShouldStartWith("req_");
        Guid.TryParse(TestSimulator.Header(response, "anthropic-organization-id"), out _).ShouldBeTrue();
    }

    [Fact]
    public async Task Post_OneOverTheLimitInTheSameInstant_Is429WithRetryAfterAndHeaders()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = await TestSimulator.StartAsync(o => o.Limits.RequestsPerMinute = 5, time);
        using var client = TestSimulator.Client(host);
        for (var i = 0; i < 5; i++)
        {
            ((int)(await TestSimulator.PostAsync(client, TestSimulator.Body())).StatusCode).ShouldBe(200);
        }

        using var refused = await TestSimulator.PostAsync(client, TestSimulator.Body());

        var message = await refused.ErrorAsync(429, "rate_limit_error");
        message.ShouldContain("5 requests per minute");
        TestSimulator.Header(refused, "retry-after").ShouldBe("12"); // one request at 5/60 per second
        TestSimulator.Header(refused, "anthropic-ratelimit-requests-remaining").ShouldBe("0");
        TestSimulator.Header(refused, "anthropic-ratelimit-requests-reset").ShouldBe("2026-03-01T12:01:00Z");
        host.Attempts()[^1].LimitHit.ShouldBe("requests");

        time.Advance(TimeSpan.FromSeconds(12));
        ((int)(await TestSimulator.PostAsync(client, TestSimulator.Body())).StatusCode).ShouldBe(200);
    }

    [Fact]
    public async Task Post_InputTokensOverTheLimit_NamesInputTokens()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = await TestSimulator.StartAsync(o => o.Limits.InputTokensPerMinute = 1_000, time);
        using var client = TestSimulator.Client(host);
        var big = string.Join(' ', Enumerable.Repeat("word", 600)); // 600 tokens + framing

        ((int)(await TestSimulator.PostAsync(client, TestSimulator.Body(content: big))).StatusCode).ShouldBe(200);
        using var refused = await TestSimulator.PostAsync(client, TestSimulator.Body(content: big));

        (await refused.ErrorAsync(429, "rate_limit_error")).ShouldContain("1,000 input tokens per minute");
        TestSimulator.Header(refused, "retry-after").ShouldBe("13"); // 214 missing at 1000/60 per second = 12.84 s
        host.Attempts()[^1].LimitHit.ShouldBe("input_tokens");
    }

    [Fact]
    public async Task Post_ReserveMode_MaxTokensOverTheOutputRemainder_Is429()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = await TestSimulator.StartAsync(o => o.Output.MeanTokens = 5, time);
        using var client = TestSimulator.Client(host);

        using var first = await TestSimulator.PostAsync(client, TestSimulator.Body(maxTokens: 6_000));
        var produced = (await first.JsonAsync()).GetProperty("usage").GetProperty("output_tokens").GetInt64();
        using var second = await TestSimulator.PostAsync(client, TestSimulator.Body(maxTokens: 8_000));

        ((int)first.StatusCode).ShouldBe(200);
        (await second.ErrorAsync(429, "rate_limit_error")).ShouldContain("8,000 output tokens per minute");
        produced.ShouldBeLessThan(6_000);
        host.Attempts()[^1].LimitHit.ShouldBe("output_tokens");
        var exact = await client.GetStringAsync("_simulator/limits?apiKey=sk-test-key&model=claude-sonnet-4-5", TestContext.Current.CancellationToken).WaitAsync(TestSimulator.Wait, TestContext.Current.CancellationToken);
        JsonDocument.Parse(exact).RootElement.GetProperty("outputTokensRemaining").GetInt64().ShouldBe(8_000 - produced);
    }

    [Fact]
    public async Task Post_ActualMode_MaxTokensAboveTheOutputLimitIsAdmitted()
    {
        await using var host = await TestSimulator.StartAsync(o =>
        {
            o.Limits.OutputAccounting = OutputAccounting.Actual;
            o.Output.MeanTokens = 5;
            o.Output.MaxTokensRate = 0;
        });
        using var client = TestSimulator.Client(host);

        using var response = await TestSimulator.PostAsync(client, TestSimulator.Body(maxTokens: 20_000));

        ((int)response.StatusCode).ShouldBe(200);
    }

    [Fact]
    public async Task Post_SpendCapReached_Is429WithErrorCodeAndNoRetryAfter()
    {
        await using var host = await TestSimulator.StartAsync(o =>
        {
            o.Spend.MonthlyCapUsd = 0.000001m;
            o.Output.MaxTokensRate = 0;
        });
        using var client = TestSimulator.Client(host);

        ((int)(await TestSimulator.PostAsync(client, TestSimulator.Body())).StatusCode).ShouldBe(200);
        using var capped = await TestSimulator.PostAsync(client, TestSimulator.Body());

        await capped.ErrorAsync(429, "rate_limit_error");
        (await capped.JsonAsync()).GetProperty("error").GetProperty("details").GetProperty("error_code").GetString().ShouldBe("enforced_spend_limit_reached");
        capped.Headers.RetryAfter.ShouldBeNull();
        TestSimulator.Header(capped, "anthropic-ratelimit-requests-limit").ShouldBe("50");
    }

    [Fact]
    public async Task Post_AccelerationLimit_Is429RampLimitExceededWithRetryAfter()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = await TestSimulator.StartAsync(o =>
        {
            o.Acceleration.Enabled = true;
            o.Acceleration.FloorRequestsPerMinute = 12; // two requests in the 10 s window
        }, time);
        using var client = TestSimulator.Client(host);

        ((int)(await TestSimulator.PostAsync(client, TestSimulator.Body())).StatusCode).ShouldBe(200);
        ((int)(await TestSimulator.PostAsync(client, TestSimulator.Body())).StatusCode).ShouldBe(200);
        using var refused = await TestSimulator.PostAsync(client, TestSimulator.Body());

        await refused.ErrorAsync(429, "rate_limit_error");
        (await refused.JsonAsync()).GetProperty("error").GetProperty("details").GetProperty("error_code").GetString().ShouldBe("ramp_limit_exceeded");
        int.Parse(TestSimulator.Header(refused, "retry-after")).ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task Post_PromptCache_WritesThenReadsAndOnlyWritesCountTowardInput()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = await TestSimulator.StartAsync(o => o.PromptCache.MinTokens = 100, time);
        using var client = TestSimulator.Client(host);
        var longSystem = string.Join(' ', Enumerable.Repeat("rule", 200));
        var body = $$$"""{"model":"claude-sonnet-4-5","max_tokens":10,"system":[{"type":"text","text":"{{{longSystem}}}","cache_control":{"type":"ephemeral"}}],"messages":[{"role":"user","content":"Hi"}]}""";

        var first = (await (await TestSimulator.PostAsync(client, body)).JsonAsync()).GetProperty("usage");
        var second = (await (await TestSimulator.PostAsync(client, body)).JsonAsync()).GetProperty("usage");
        var total = (await (await TestSimulator.PostAsync(client, body, "v1/messages/count_tokens")).JsonAsync()).GetProperty("input_tokens").GetInt64();

        first.GetProperty("cache_creation_input_tokens").GetInt64().ShouldBe(200);
        first.GetProperty("cache_creation").GetProperty("ephemeral_5m_input_tokens").GetInt64().ShouldBe(200);
        first.GetProperty("cache_read_input_tokens").GetInt64().ShouldBe(0);
        second.GetProperty("cache_creation_input_tokens").GetInt64().ShouldBe(0);
        second.GetProperty("cache_read_input_tokens").GetInt64().ShouldBe(200);
        (second.GetProperty("input_tokens").GetInt64() + 200).ShouldBe(total);
        host.Attempts()[0].InputTokens.ShouldBe(total);
        host.Attempts()[1].InputTokens.ShouldBe(total - 200);

        time.Advance(TimeSpan.FromMinutes(6));
        var expired = (await (await TestSimulator.PostAsync(client, body)).JsonAsync()).GetProperty("usage");
        expired.GetProperty("cache_creation_input_tokens").GetInt64().ShouldBe(200);
    }
}
