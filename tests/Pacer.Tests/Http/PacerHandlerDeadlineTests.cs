using Pacer.Configuration;
using Pacer.Http;
using Pacer.Tests.Support;

namespace Pacer.Tests.Http;

/// <summary>
/// <see cref="PacerRequestOptions.Deadline"/> through the handler: Pacer gives up at the cutoff, a margin (a tenth of
/// the budget, at most 1 s) before the deadline, with <see cref="PacerDeadlineExceededException"/>.
/// </summary>
public sealed class PacerHandlerDeadlineTests
{
    [Fact]
    public async Task SendAsync_QueueWaitOutlastsTheDeadline_CutAtTheCutoffAndLeavesTheQueue()
    {
        var options = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 1 };
        var stream = new ControlledStream();
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Sse.Response(stream)), options);
        using var holding = await fixture.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(stream: true)), HttpCompletionOption.ResponseHeadersRead);
        using var request = HandlerFixture.Messages();
        request.Options.Set(PacerRequestOptions.Deadline, fixture.Time.GetUtcNow().AddSeconds(10));

        var sending = fixture.SendAsync(request);
        await fixture.Time.NextTimerAsync(d => d == TimeSpan.FromSeconds(9));
        fixture.Time.Advance(TimeSpan.FromSeconds(9));

        var thrown = await Should.ThrowAsync<PacerDeadlineExceededException>(HandlerFixture.Settled(sending));
        thrown.Margin.ShouldBe(TimeSpan.FromSeconds(1));
        thrown.Deadline.ShouldBe(fixture.Time.Start.AddSeconds(10));
        thrown.Message.ShouldBe("The request's deadline is 1000 ms away (margin 1000 ms): the wait for admission was cut at the cutoff.");
        fixture.Limiter.Queued.ShouldBe(0);
        fixture.Upstream.Calls.ShouldBe(1);
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(1);
    }

    [Fact]
    public async Task SendAsync_DeadlineAlreadyPassed_NoAttemptIsStarted()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(1, 1))));
        using var request = HandlerFixture.Messages();
        request.Options.Set(PacerRequestOptions.Deadline, fixture.Time.GetUtcNow().AddMilliseconds(-1));

        var thrown = await Should.ThrowAsync<PacerDeadlineExceededException>(HandlerFixture.Settled(fixture.SendAsync(request)));

        thrown.Message.ShouldEndWith("no attempt is started with less than the margin left.");
        fixture.Upstream.Calls.ShouldBe(0);
        fixture.SingleOutcome().Error.ShouldBe("PacerDeadlineExceededException after 0 attempt(s)");
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
    }

    [Fact]
    public async Task SendAsync_UpstreamHangsPastTheCutoff_AttemptAbandonedThereAndNotRetried()
    {
        // The shape: the upstream hangs 120 s then resets; the caller's deadline is 150 s away (margin 1 s).
        var options = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, AttemptTimeout = 600_000 };
        TimeProvider? clock = null;
        using var fixture = new HandlerFixture(
            new FakeUpstream(async (_, _, ct) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(120), clock!, ct);
                throw new HttpRequestException("Connection reset by peer");
            }),
            options,
            0.5);
        using var request = HandlerFixture.Messages();
        request.Options.Set(PacerRequestOptions.Deadline, fixture.Time.GetUtcNow().AddSeconds(150));

        clock = fixture.Time;

        // Attempt 1 is limited to the cutoff (149 s), hangs 120 s, resets; 1 s backoff; attempt 2 hangs until the cutoff.
        var sending = fixture.SendAsync(request);
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(120));
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        await fixture.Time.NextTimerAsync(d => d == TimeSpan.FromSeconds(120));
        fixture.Time.Advance(TimeSpan.FromSeconds(28));

        var thrown = await Should.ThrowAsync<PacerDeadlineExceededException>(HandlerFixture.Settled(sending));
        thrown.Message.ShouldBe("The request's deadline is 1000 ms away (margin 1000 ms): the attempt had no response headers by the cutoff.");
        fixture.Time.GetUtcNow().ShouldBe(fixture.Time.Start.AddSeconds(149));
        fixture.Upstream.Calls.ShouldBe(2);
        fixture.SingleOutcome().Error.ShouldBe("PacerDeadlineExceededException after 2 attempt(s)");
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
    }

    [Fact]
    public async Task SendAsync_BackoffWouldEndInsideTheMargin_HandsBackTheLastAnswerAtOnce()
    {
        // Backoff 1,000 ms; deadline 1,050 ms away, margin 105 ms: the wait would end 55 ms past the cutoff.
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Error(529, "overloaded_error")));
        using var request = HandlerFixture.Messages();
        request.Options.Set(PacerRequestOptions.Deadline, fixture.Time.GetUtcNow().AddMilliseconds(1050));

        using var response = await HandlerFixture.Settled(fixture.SendAsync(request));

        ((int)response.StatusCode).ShouldBe(529);
        fixture.Upstream.Calls.ShouldBe(1);
        fixture.Time.GetUtcNow().ShouldBe(fixture.Time.Start);
    }
}
