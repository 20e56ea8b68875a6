using System.Net;
using Pacer.Configuration;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Tests.Support;

namespace Pacer.Tests.Http;

public sealed class PacerHandlerTests
{
    [Fact]
    public async Task SendAsync_Success_ReturnsTheBodyUnchangedAndReportsUsage()
    {
        var body = Responses.Message(25, 12);
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, body, ("request-id", "req_ok"))));

        using var response = await fixture.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(userId: "user-7")));

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe(body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        response.Headers.GetValues(PacerHeaders.Attempts).ShouldBe(["1"]);
        response.Headers.GetValues(PacerHeaders.QueueMilliseconds).ShouldBe(["0"]);
        response.Headers.GetValues("request-id").ShouldBe(["req_ok"]);
        var outcome = fixture.SingleOutcome();
        outcome.User.ShouldBe("user-7");
        outcome.Endpoint.ShouldBe("/v1/messages");
        outcome.Model.ShouldBe("claude-sonnet-4-5");
        outcome.RequestId.ShouldBe("req_ok");
        outcome.Attempts.ShouldBe(1);
        outcome.StatusCode.ShouldBe(200);
        outcome.Usage.ShouldBe(new TokenUsage(25, 12));
        outcome.Streamed.ShouldBeFalse();
        outcome.Error.ShouldBeNull();
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
    }

    [Fact]
    public async Task SendAsync_BufferedMessagesAnswer_ItsOutputIsCountedOnceInTheLearnedBudget()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(25, 12),
            ("anthropic-ratelimit-output-tokens-limit", "60000"), ("anthropic-ratelimit-output-tokens-remaining", "59000"))),
            new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, OutputReservation = OutputReservation.Estimate });

        using var response = await fixture.SendAsync(HandlerFixture.Messages());

        // The answer's headers came once it was complete: the server's 59,000 already counts its 12 output tokens.
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        fixture.Limiter.Snapshot().UpstreamBuckets.ShouldHaveSingleItem().OutputTokens.Remaining.ShouldBe(59_000);
    }

    [Fact]
    public async Task SendAsync_BufferedMessagesAnswer_LeavesTheUsageItReadOnTheRequest()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(25, 12))));
        using var request = HandlerFixture.Messages();

        using var response = await fixture.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        request.GetPacerContext().ShouldNotBeNull().Usage.ShouldBe(new TokenUsage(25, 12));
        request.GetPacerContext()!.Usage.ShouldBe(fixture.SingleOutcome().Usage);
    }

    [Fact]
    public async Task SendAsync_ForwardsMethodPathHeadersAndBodyUnchanged()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(1, 1))));
        var body = HandlerFixture.MessagesBody();
        using var request = HandlerFixture.Messages(body);
        request.Headers.TryAddWithoutValidation("anthropic-beta", "prompt-caching-2024-07-31");

        using var response = await fixture.SendAsync(request);

        var received = fixture.Upstream.Requests.ShouldHaveSingleItem();
        received.Method.ShouldBe(HttpMethod.Post);
        received.Uri.ShouldBe(new Uri("https://api.anthropic.com/v1/messages"));
        received.Headers["x-api-key"].ShouldBe(HandlerFixture.ApiKey);
        received.Headers["anthropic-version"].ShouldBe("2023-06-01");
        received.Headers["anthropic-beta"].ShouldBe("prompt-caching-2024-07-31");
        received.ContentType.ShouldBe("application/json; charset=utf-8");
        received.Body.ShouldBe(body);
        response.RequestMessage.ShouldBeSameAs(request);
    }

    [Fact]
    public async Task SendAsync_UserAndEndpointOptions_WinOverTheBody()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(1, 1))));
        using var request = HandlerFixture.Messages(HandlerFixture.MessagesBody(userId: "from-body"));
        request.Options.Set(PacerRequestOptions.User, "alice");
        request.Options.Set(PacerRequestOptions.Endpoint, "/api/generate-scene");

        using var response = await fixture.SendAsync(request);

        var outcome = fixture.SingleOutcome();
        outcome.User.ShouldBe("alice");
        outcome.Endpoint.ShouldBe("/api/generate-scene");
        fixture.LogMessages().ShouldContain("🔄 Attempt 1/4 for /api/generate-scene");
    }

    [Fact]
    public async Task SendAsync_NoUserAnywhere_IsAnonymous()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(1, 1))));

        using var response = await fixture.SendAsync(HandlerFixture.Messages());

        fixture.SingleOutcome().User.ShouldBe(AcquireRequest.AnonymousUser);
    }

    [Fact]
    public async Task SendAsync_TwoRateLimitsThenSuccess_WaitsTheRetryAfterAndResendsTheSameBody()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(n => n <= 2 ? Responses.RateLimited("2") : Responses.Json(200, Responses.Message(30, 8))));
        var body = HandlerFixture.MessagesBody();

        var sending = fixture.SendAsync(HandlerFixture.Messages(body));
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        using var response = await HandlerFixture.Settled(sending);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues(PacerHeaders.Attempts).ShouldBe(["3"]);
        fixture.Upstream.Requests.Select(r => r.Body).ShouldAllBe(b => b == body);
        fixture.Upstream.Calls.ShouldBe(3);
        var totals = fixture.Limiter.Snapshot().Totals;
        (totals.Requests, totals.Attempts, totals.Retries, totals.RateLimited, totals.Failures).ShouldBe((1L, 3L, 2L, 2L, 0L));
        fixture.SingleOutcome().Attempts.ShouldBe(3);
    }

    [Fact]
    public async Task SendAsync_RateLimited_PutsTheBucketIntoCooldownForEveryone()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(n => n == 1 ? Responses.RateLimited("5") : Responses.Json(200, Responses.Message(1, 1))));

        var sending = fixture.SendAsync(HandlerFixture.Messages());
        await fixture.Time.NextTimerAsync(d => d == TimeSpan.FromSeconds(5));

        var bucket = fixture.Limiter.Snapshot().UpstreamBuckets.ShouldHaveSingleItem();
        bucket.KeyId.ShouldBe(UpstreamKeyId.Of(HandlerFixture.ApiKey));
        bucket.ModelClass.ShouldBe("claude-sonnet-4");
        bucket.CooldownUntil.ShouldBe(fixture.Time.GetUtcNow().AddSeconds(5));
        fixture.Time.Advance(TimeSpan.FromSeconds(5));
        using var response = await HandlerFixture.Settled(sending);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SendAsync_RetriesSpent_ReturnsTheUpstreamsOwnStatusHeadersAndBody()
    {
        var options = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxRetries = 2 };
        using var fixture = new HandlerFixture(
            new FakeUpstream(n => Responses.Json(529, $$$"""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded {{{n}}}"}}""", ("request-id", $"req_{n}"), ("x-custom", "kept"))),
            options);

        var sending = fixture.SendAsync(HandlerFixture.Messages());
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        using var response = await HandlerFixture.Settled(sending);

        ((int)response.StatusCode).ShouldBe(529);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("""{"type":"error","error":{"type":"overloaded_error","message":"Overloaded 3"}}""");
        response.Headers.GetValues("request-id").ShouldBe(["req_3"]);
        response.Headers.GetValues("x-custom").ShouldBe(["kept"]);
        response.Content.Headers.ContentType!.ToString().ShouldBe("application/json; charset=utf-8");
        response.Headers.GetValues(PacerHeaders.Attempts).ShouldBe(["3"]);
        var outcome = fixture.SingleOutcome();
        outcome.StatusCode.ShouldBe(529);
        outcome.Error.ShouldBe("status 529: retryable_status, retries spent (3 attempts)");
        fixture.Limiter.Snapshot().Totals.Failures.ShouldBe(1);
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(413)]
    public async Task SendAsync_FinalStatus_IsReturnedAfterOneAttempt(int status)
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Error(status, "invalid_request_error")));

        using var response = await fixture.SendAsync(HandlerFixture.Messages());

        ((int)response.StatusCode).ShouldBe(status);
        fixture.Upstream.Calls.ShouldBe(1);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("invalid_request_error");
    }

    [Fact]
    public async Task SendAsync_SpendLimit429_IsReturnedAtOnceWithItsBody()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(429, Responses.SpendLimitBody)));

        using var response = await fixture.SendAsync(HandlerFixture.Messages());

        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe(Responses.SpendLimitBody);
        fixture.Upstream.Calls.ShouldBe(1);
        fixture.SingleOutcome().Error.ShouldBe("status 429: spend_limit_reached");
    }

    [Fact]
    public async Task SendAsync_RetryAfterBeyondTheDeadline_FailsAtOnceWithTheUpstreams429()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.RateLimited("30")));
        using var request = HandlerFixture.Messages();
        request.Options.Set(PacerRequestOptions.Deadline, fixture.Time.GetUtcNow().AddSeconds(10));

        using var response = await HandlerFixture.Settled(fixture.SendAsync(request));

        response.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe(Responses.RateLimitBody);
        response.Headers.GetValues("retry-after").ShouldBe(["30"]);
        fixture.Upstream.Calls.ShouldBe(1);
        fixture.Time.GetUtcNow().ShouldBe(fixture.Time.Start);
    }

    [Fact]
    public async Task SendAsync_ConnectionFailureThenSuccess_RetriesAfterTheBackoff()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(n => n == 1 ? throw new HttpRequestException("Connection refused") : Responses.Json(200, Responses.Message(1, 1))), jitter: 0.0);

        var sending = fixture.SendAsync(HandlerFixture.Messages());
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(750));
        using var response = await HandlerFixture.Settled(sending);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Headers.GetValues(PacerHeaders.Attempts).ShouldBe(["2"]);
    }

    [Fact]
    public async Task SendAsync_NoHeadersWithinTheAttemptTimeout_RetriesTheAttempt()
    {
        var options = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, AttemptTimeout = 5000, BaseDelay = 200 };
        using var fixture = new HandlerFixture(
            new FakeUpstream(async (_, n, ct) =>
            {
                if (n == 1)
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                }

                return Responses.Json(200, Responses.Message(1, 1));
            }),
            options);

        var sending = fixture.SendAsync(HandlerFixture.Messages());
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(5));
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(200));
        using var response = await HandlerFixture.Settled(sending);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        fixture.Upstream.Calls.ShouldBe(2);
    }

    [Fact]
    public async Task SendAsync_LastAttemptTimesOut_ThrowsTaskCanceledWithATimeoutInside()
    {
        var options = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, AttemptTimeout = 1000, MaxRetries = 0 };
        using var fixture = new HandlerFixture(
            new FakeUpstream(async (_, _, ct) =>
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                return Responses.Json(200, "{}");
            }),
            options);

        var sending = fixture.SendAsync(HandlerFixture.Messages());
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));

        var thrown = await Should.ThrowAsync<TaskCanceledException>(HandlerFixture.Settled(sending));
        thrown.InnerException.ShouldBeAssignableTo<TimeoutException>();
        fixture.SingleOutcome().Error.ShouldBe("AttemptTimeoutException after 1 attempt(s)");
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
    }

    [Fact]
    public async Task SendAsync_CallerCancels_StopsAndReleasesTheSlot()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Error(503)));
        using var cancel = new CancellationTokenSource();

        var sending = fixture.Client.SendAsync(HandlerFixture.Messages(), cancel.Token);
        await fixture.Time.NextTimerAsync(d => d == TimeSpan.FromSeconds(1));
        await cancel.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(HandlerFixture.Settled(sending));
        fixture.Upstream.Calls.ShouldBe(1);
        fixture.SingleOutcome().Error.ShouldBe("canceled by the caller");
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
    }

    [Fact]
    public async Task SendAsync_LimiterRejects_ThrowsPacerRejectedException()
    {
        var options = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 1, MaxQueueLength = 0 };
        var stream = new ControlledStream();
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Sse.Response(stream)), options);
        using var holding = await fixture.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(stream: true)), HttpCompletionOption.ResponseHeadersRead);

        var rejected = await Should.ThrowAsync<PacerRejectedException>(fixture.SendAsync(HandlerFixture.Messages()));

        rejected.Reason.ShouldBe(RejectionReason.QueueFull);
        fixture.Upstream.Calls.ShouldBe(1);
        fixture.SingleOutcome().Error.ShouldBe("rejected by the limiter: QueueFull");
        fixture.Limiter.Snapshot().Totals.Rejections.ShouldBe(1);
    }

    [Fact]
    public async Task SendAsync_MaxRetriesReconfigured_AppliesFromTheNextRequest()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Error(500)));
        fixture.Limiter.Reconfigure(fixture.Limiter.Options with { MaxRetries = 1 });

        var first = fixture.SendAsync(HandlerFixture.Messages());
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        using (var response = await HandlerFixture.Settled(first))
        {
            response.Headers.GetValues(PacerHeaders.Attempts).ShouldBe(["2"]);
        }

        fixture.Limiter.Reconfigure(fixture.Limiter.Options with { MaxRetries = 0 });
        using var second = await HandlerFixture.Settled(fixture.SendAsync(HandlerFixture.Messages()));

        second.Headers.GetValues(PacerHeaders.Attempts).ShouldBe(["1"]);
        fixture.Upstream.Calls.ShouldBe(3);
    }

    [Fact]
    public async Task SendAsync_PlainPath_HoldsTheSlotUntilTheBodyIsDisposed()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, """{"data":[]}""")));

        var response = await fixture.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/models"), HttpCompletionOption.ResponseHeadersRead);

        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(1);
        fixture.Observer.Outcomes.ShouldBeEmpty();
        response.Dispose();
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
        var outcome = fixture.SingleOutcome();
        outcome.Endpoint.ShouldBe("/v1/models");
        outcome.Usage.ShouldBeNull();
    }

    [Fact]
    public async Task SendAsync_PlainPathReadToTheEnd_ReleasesTheSlot()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, """{"data":[]}""")));

        using var response = await fixture.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/v1/models"));

        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("""{"data":[]}""");
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
        fixture.SingleOutcome().StatusCode.ShouldBe(200);
    }

    [Fact]
    public async Task SendAsync_ThrowingObserver_DoesNotDisturbTheRequest()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(1, 1))));
        using var handler = new PacerHandler(fixture.Limiter, observers: [new ThrowingObserver(), fixture.Observer]) { InnerHandler = fixture.Upstream };
        using var client = new HttpClient(handler) { BaseAddress = new Uri("https://api.anthropic.com") };

        using var response = await client.SendAsync(HandlerFixture.Messages(), TestContext.Current.CancellationToken);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        fixture.SingleOutcome().StatusCode.ShouldBe(200);
    }

    [Fact]
    public void Send_Synchronous_IsRefused()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, "{}")));

        Should.Throw<NotSupportedException>(() => fixture.Client.Send(HandlerFixture.Messages(), TestContext.Current.CancellationToken));
    }

    private sealed class ThrowingObserver : IRequestObserver
    {
        public void OnCompleted(RequestOutcome outcome) => throw new InvalidOperationException("observer bug");
    }
}
