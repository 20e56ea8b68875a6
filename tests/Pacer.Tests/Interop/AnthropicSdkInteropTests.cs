using Anthropic;
using Anthropic.Exceptions;
using Anthropic.Models.Messages;
using Microsoft.Extensions.Logging.Testing;
using Pacer.Configuration;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Tests.Support;

namespace Pacer.Tests.Interop;

/// <summary>The official Anthropic C# SDK, paced by Pacer, against a real local server that answers 429 twice, then 200.</summary>
public sealed class AnthropicSdkInteropTests
{
    private const string ApiKey = "sk-ant-api03-interop-key";

    private static readonly FakeAnthropicServer.Answer Success = new(
        200,
        Responses.Message(21, 6, "claude-sonnet-4-5"),
        ("request-id", "req_ok"),
        ("anthropic-ratelimit-requests-limit", "50"),
        ("anthropic-ratelimit-requests-remaining", "49"),
        ("anthropic-ratelimit-requests-reset", "2025-01-01T12:00:03Z"));

    [Fact]
    public async Task MessagesCreate_TwoRateLimitsWithRetryAfterThenSuccess_SucceedsAfterExactlyTheRetryAfterWaits()
    {
        var time = new TimerWatchingTimeProvider();
        await using var server = await FakeAnthropicServer.StartAsync(time, n => n <= 2
            ? new FakeAnthropicServer.Answer(429, Responses.RateLimitBody, ("retry-after", "3"), ("request-id", $"req_{n}"))
            : Success);
        var options = new PacerOptions { MaxRetries = 3 };
        var client = Sdk(PacerHttpClient.Create(options, time), server);

        var call = client.Messages.Create(Parameters(), TestContext.Current.CancellationToken);
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(3));
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(3));
        var message = await call.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        message.Usage.InputTokens.ShouldBe(21);
        message.Usage.OutputTokens.ShouldBe(6);
        server.Calls.ShouldBe(3);
        var arrivals = server.Arrivals.ToArray();
        arrivals.Select(a => (a.At - time.Start).TotalSeconds).ShouldBe([0.0, 3.0, 6.0]);
        arrivals.Select(a => a.Body).Distinct().ShouldHaveSingleItem();
        arrivals.ShouldAllBe(a => a.Headers["authorization"] == "Bearer " + ApiKey);
    }

    [Fact]
    public async Task MessagesCreate_TwoRateLimitsWithoutRetryAfter_WaitsTheBackoffTheSettingsSay()
    {
        var time = new TimerWatchingTimeProvider();
        await using var server = await FakeAnthropicServer.StartAsync(time, n => n <= 2
            ? new FakeAnthropicServer.Answer(429, Responses.RateLimitBody)
            : Success);
        var options = new PacerOptions { MaxRetries = 2, BaseDelay = 500, BackoffFactor = 3, MaxDelay = 10000 };
        var logger = new FakeLogger();
        using var limiter = new Limiter(options, time);
        using var handler = new PacerHandler(limiter, logger, observers: null, new Pacer.Telemetry.PacerMetrics(limiter), ownsMetrics: true, new ScriptedRandom(0.5, 0.0).Next, ownsLimiter: false)
        {
            InnerHandler = new SocketsHttpHandler(),
        };
        var client = Sdk(new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan }, server);

        var call = client.Messages.Create(Parameters(), TestContext.Current.CancellationToken);

        // BaseDelay 500 ms × 3^0 with jitter draw 0.5 (±0%), then 500 × 3^1 with draw 0 (−25%).
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(500));
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(1125));
        var message = await call.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        message.Usage.OutputTokens.ShouldBe(6);
        server.Calls.ShouldBe(3);
        server.Arrivals.Select(a => (a.At - time.Start).TotalMilliseconds).ShouldBe([0.0, 500.0, 1625.0]);
        logger.Collector.GetSnapshot().Where(r => r.Id.Name == "Retrying").Select(r => r.Message).ShouldBe(["⏳ Retrying in 500ms...", "⏳ Retrying in 1125ms..."]);
        limiter.Snapshot().Totals.Attempts.ShouldBe(3);
    }

    [Fact]
    public async Task MessagesCreate_RetriesSpent_TheSdkSeesTheUpstreams429()
    {
        var time = new TimerWatchingTimeProvider();
        await using var server = await FakeAnthropicServer.StartAsync(time, _ => new FakeAnthropicServer.Answer(429, Responses.RateLimitBody, ("retry-after", "1")));
        var client = Sdk(PacerHttpClient.Create(new PacerOptions { MaxRetries = 1 }, time), server);

        var call = client.Messages.Create(Parameters(), TestContext.Current.CancellationToken);
        await time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));

        var thrown = await Should.ThrowAsync<AnthropicServiceException>(call.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        thrown.GetType().Name.ShouldBe("AnthropicRateLimitException");
        thrown.ApiMessage.ShouldBe("Number of requests has exceeded your rate limit");
        server.Calls.ShouldBe(2);
    }

    // As the docs say: Pacer owns the retries, so the SDK's own are off (or the attempts would multiply).
    private static AnthropicClient Sdk(HttpClient httpClient, FakeAnthropicServer server) => new()
    {
        HttpClient = httpClient,
        MaxRetries = 0,
        BaseUrl = server.BaseAddress.ToString().TrimEnd('/'),
        ApiKey = ApiKey,
    };

    private static MessageCreateParams Parameters() => new()
    {
        MaxTokens = 256,
        Messages = [new UserMessageParam("Hello, Claude")],
        Model = "claude-sonnet-4-5",
    };
}
