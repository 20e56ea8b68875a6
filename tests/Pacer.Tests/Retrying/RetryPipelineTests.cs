using System.Net;
using Microsoft.Extensions.Logging.Testing;
using Pacer.Configuration;
using Pacer.Retrying;
using Pacer.Tests.Support;
using Polly;

namespace Pacer.Tests.Retrying;

public sealed class RetryPipelineTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private readonly TimerWatchingTimeProvider _time = new();
    private readonly FakeLogger _logger = new();

    [Fact]
    public async Task ExecuteAsync_AlwaysFailing_MakesOnePlusMaxRetriesAttemptsWithTheBackoffSchedule()
    {
        var script = new Script(_ => Responses.Error(503, "api_error"));
        var run = Run(script, new PacerOptions { MaxRetries = 3 }, 0.5);

        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(4));
        var outcome = await run.WaitAsync(Bound, TestContext.Current.CancellationToken);

        script.Calls.ShouldBe(4);
        outcome.Result!.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        script.CallTimes.ShouldBe([0, 1000, 3000, 7000]);
        _time.HasUnreadTimers.ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_FinalFailure_IsTheLastResponseUnchangedAndEarlierOnesAreDisposed()
    {
        var script = new Script(n => Responses.Json(500, $$"""{"attempt":{{n}}}""", ("request-id", $"req_{n}")));
        var run = Run(script, new PacerOptions { MaxRetries = 1 }, 0.5);

        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        var outcome = await run.WaitAsync(Bound, TestContext.Current.CancellationToken);

        using var last = outcome.Result!;
        (await last.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("""{"attempt":2}""");
        last.Headers.GetValues("request-id").ShouldBe(["req_2"]);
        script.Responses[0].IsDisposed.ShouldBeTrue();
        script.Responses[1].IsDisposed.ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_EveryRetry_ReleasesTheAttemptsLeaseBeforeWaiting()
    {
        var script = new Script(_ => Responses.Error(529, "overloaded_error"));
        var state = new RetryState(new PacerOptions { MaxRetries = 2 }, "/x", null);
        var run = Run(script, state, 0.5, TestContext.Current.CancellationToken);

        await _time.NextTimerAsync();
        script.Leases[0].Disposed.ShouldBeTrue();
        _time.Advance(TimeSpan.FromSeconds(1));
        await _time.NextTimerAsync();
        script.Leases[1].Disposed.ShouldBeTrue();
        _time.Advance(TimeSpan.FromSeconds(2));
        await run.WaitAsync(Bound, TestContext.Current.CancellationToken);

        // The final attempt's lease stays with the state: the caller's response body holds it.
        state.Lease.ShouldBeSameAs(script.Leases[2]);
        script.Leases[2].Disposed.ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_SucceedsOnThirdAttempt_ReturnsTheSuccess()
    {
        var script = new Script(n => n < 3 ? Responses.RateLimited("2") : Responses.Json(200, Responses.Message(10, 5)));
        var run = Run(script, new PacerOptions(), 0.5);

        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        var outcome = await run.WaitAsync(Bound, TestContext.Current.CancellationToken);

        outcome.Result!.StatusCode.ShouldBe(HttpStatusCode.OK);
        script.Calls.ShouldBe(3);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(413)]
    [InlineData(422)]
    [InlineData(200)]
    public async Task ExecuteAsync_FinalStatus_IsNotRetried(int status)
    {
        var script = new Script(_ => Responses.Error(status));
        var outcome = await Run(script, new PacerOptions(), 0.5).WaitAsync(Bound, TestContext.Current.CancellationToken);

        script.Calls.ShouldBe(1);
        ((int)outcome.Result!.StatusCode).ShouldBe(status);
    }

    [Fact]
    public async Task ExecuteAsync_SpendLimit429_IsHandedBackAtOnceWithItsBody()
    {
        var script = new Script(_ => Responses.Json(429, Responses.SpendLimitBody));
        var outcome = await Run(script, new PacerOptions(), 0.5).WaitAsync(Bound, TestContext.Current.CancellationToken);

        script.Calls.ShouldBe(1);
        (await outcome.Result!.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe(Responses.SpendLimitBody);
    }

    [Fact]
    public async Task ExecuteAsync_MaxRetriesZero_MakesOneAttempt()
    {
        var script = new Script(_ => Responses.Error(503));
        var state = new RetryState(new PacerOptions { MaxRetries = 0 }, "/x", null);
        var outcome = await Run(script, state, 0.5, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

        script.Calls.ShouldBe(1);
        outcome.Result!.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        state.StoppedBecause.ShouldBe("retries spent (1 attempts)");
    }

    [Fact]
    public async Task ExecuteAsync_RetryAfterPastTheDeadline_HandsBackThe429AtOnce()
    {
        var script = new Script(_ => Responses.RateLimited("30"));
        var state = new RetryState(new PacerOptions(), "/x", RequestDeadline.From(_time.GetUtcNow().AddSeconds(10), _time.GetUtcNow()));
        var outcome = await Run(script, state, 0.5, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

        script.Calls.ShouldBe(1);
        outcome.Result!.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await outcome.Result.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe(Responses.RateLimitBody);
        state.StoppedBecause!.ShouldStartWith("the wait ends after the request's deadline");
        _time.HasUnreadTimers.ShouldBeFalse();
        _time.GetUtcNow().ShouldBe(_time.Start);
    }

    [Fact]
    public async Task ExecuteAsync_RetryAfterWithinTheDeadline_Waits()
    {
        var script = new Script(n => n == 1 ? Responses.RateLimited("9") : Responses.Json(200, "{}"));
        var state = new RetryState(new PacerOptions(), "/x", RequestDeadline.From(_time.GetUtcNow().AddSeconds(11), _time.GetUtcNow()));
        var run = Run(script, state, 0.5, TestContext.Current.CancellationToken);

        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(9));
        var outcome = await run.WaitAsync(Bound, TestContext.Current.CancellationToken);

        outcome.Result!.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ExecuteAsync_RetryAfterEndsInsideTheMargin_HandsBackThe429AtOnce()
    {
        // Deadline 10 s away: margin 1 s, cutoff at 9 s; a 9 s wait would leave no time for the attempt it waits for.
        var script = new Script(_ => Responses.RateLimited("9"));
        var state = new RetryState(new PacerOptions(), "/x", RequestDeadline.From(_time.GetUtcNow().AddSeconds(10), _time.GetUtcNow()));
        var outcome = await Run(script, state, 0.5, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

        script.Calls.ShouldBe(1);
        outcome.Result!.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        state.StoppedBecause.ShouldBe("the wait ends after the request's deadline (10000 ms left, margin 1000 ms)");
        _time.GetUtcNow().ShouldBe(_time.Start);
    }

    [Fact]
    public async Task ExecuteAsync_BackoffPastTheCutoff_StopsWithoutWaiting()
    {
        // 1,000 ms backoff (jitter 0.5), deadline 1,050 ms away: margin 105 ms, so the wait would end 55 ms past the cutoff.
        var script = new Script(_ => Responses.Error(503));
        var state = new RetryState(new PacerOptions(), "/x", RequestDeadline.From(_time.GetUtcNow().AddMilliseconds(1050), _time.GetUtcNow()));
        var outcome = await Run(script, state, 0.5, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

        script.Calls.ShouldBe(1);
        outcome.Result!.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        state.StoppedBecause!.ShouldStartWith("the wait ends after the request's deadline");
        _time.HasUnreadTimers.ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_HugeRetryAfter_HandsBackThe429AtOnce()
    {
        var script = new Script(_ => Responses.RateLimited("7200"));
        var state = new RetryState(new PacerOptions(), "/x", null);
        var outcome = await Run(script, state, 0.5, TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);

        script.Calls.ShouldBe(1);
        outcome.Result!.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        state.StoppedBecause.ShouldBe("retry-after is longer than 60 minutes");
    }

    [Fact]
    public async Task ExecuteAsync_ConnectionFailures_AreRetriedThenSurfaceAsTheLastException()
    {
        var script = new Script(n => throw new HttpRequestException($"refused {n}"));
        var run = Run(script, new PacerOptions { MaxRetries = 2, BaseDelay = 100 }, 0.5);

        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(100));
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(200));
        var outcome = await run.WaitAsync(Bound, TestContext.Current.CancellationToken);

        script.Calls.ShouldBe(3);
        outcome.Exception.ShouldBeOfType<HttpRequestException>().Message.ShouldBe("refused 3");
    }

    [Fact]
    public async Task ExecuteAsync_CanceledDuringTheWait_StopsWithoutAnotherAttempt()
    {
        using var cancel = new CancellationTokenSource();
        var script = new Script(_ => Responses.Error(503));
        var run = Run(script, new RetryState(new PacerOptions(), "/x", null), 0.5, cancel.Token);

        await _time.NextTimerAsync();
        await cancel.CancelAsync();
        var outcome = await run.WaitAsync(Bound, TestContext.Current.CancellationToken);

        script.Calls.ShouldBe(1);
        outcome.Exception.ShouldBeAssignableTo<OperationCanceledException>();
    }

    [Fact]
    public async Task ExecuteAsync_DifferentMaxRetriesPerRequest_EachRequestKeepsItsOwn()
    {
        var pipeline = new RetryPipeline(_time, new BackoffSchedule(new ScriptedRandom(0.5).Next), _logger);
        var one = new Script(_ => Responses.Error(503));
        var other = new Script(_ => Responses.Error(503));

        await Run(pipeline, one, new RetryState(new PacerOptions { MaxRetries = 0 }, "/a", null), TestContext.Current.CancellationToken).WaitAsync(Bound, TestContext.Current.CancellationToken);
        var second = Run(pipeline, other, new RetryState(new PacerOptions { MaxRetries = 1, BaseDelay = 100 }, "/b", null), TestContext.Current.CancellationToken);
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(100));
        await second.WaitAsync(Bound, TestContext.Current.CancellationToken);

        one.Calls.ShouldBe(1);
        other.Calls.ShouldBe(2);
    }

    [Fact]
    public async Task ExecuteAsync_Retry_LogsTheSeedsRetryingLine()
    {
        var script = new Script(n => n == 1 ? Responses.Error(503) : Responses.Json(200, "{}"));
        var run = Run(script, new PacerOptions(), 0.994);

        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(1247));
        await run.WaitAsync(Bound, TestContext.Current.CancellationToken);

        _logger.Collector.GetSnapshot().Select(r => r.Message).ShouldContain("⏳ Retrying in 1247ms...");
        var record = _logger.Collector.GetSnapshot().Single(r => r.Id.Name == "Retrying");
        record.StructuredState!.ShouldContain(new KeyValuePair<string, string?>("DelayMilliseconds", "1247"));
    }

    [Fact]
    public async Task ExecuteAsync_FirstAttemptSucceeds_OneAttemptJudgedOnceAndItsLeaseKept()
    {
        var script = new Script(_ => Responses.Json(200, "{}"));
        var state = new RetryState(new PacerOptions(), "/v1/messages", null);

        var outcome = await Run(script, state, 0.5, TestContext.Current.CancellationToken);

        script.Calls.ShouldBe(1);
        outcome.Result!.StatusCode.ShouldBe(HttpStatusCode.OK);
        script.Responses[0].IsDisposed.ShouldBeFalse();
        script.Leases[0].Disposed.ShouldBeFalse();
        state.LastDecision.ShouldRetry.ShouldBeFalse();
        state.FirstOutcome.ShouldBeNull();
        _logger.Collector.GetSnapshot().Count(r => r.Id.Name == "NotRetried").ShouldBe(1);
        _time.HasUnreadTimers.ShouldBeFalse();
    }

    [Fact]
    public async Task ExecuteAsync_FirstAttemptRetriedThenTheSameStateRunAgain_NothingReplayed()
    {
        var script = new Script(n => n == 1 ? Responses.Error(529, "overloaded_error") : Responses.Json(200, $$"""{"attempt":{{n}}}"""));
        var state = new RetryState(new PacerOptions(), "/v1/messages", null);

        var run = Run(script, state, 0.5, TestContext.Current.CancellationToken);
        await _time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        using var second = (await run.WaitAsync(Bound, TestContext.Current.CancellationToken)).Result!;
        using var third = (await Run(script, state, 0.5, TestContext.Current.CancellationToken)).Result!;

        script.Calls.ShouldBe(3);
        (await second.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("""{"attempt":2}""");
        (await third.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("""{"attempt":3}""");
        script.Responses[0].IsDisposed.ShouldBeTrue();
        script.Leases[0].Disposed.ShouldBeTrue();
        _logger.Collector.GetSnapshot().Count(r => r.Id.Name == "RetryScheduled").ShouldBe(1);
        state.FirstOutcome.ShouldBeNull();
    }

    private Task<Outcome<HttpResponseMessage>> Run(Script script, PacerOptions options, double jitter) =>
        Run(script, new RetryState(options, "/api/generate-scene", null), jitter, TestContext.Current.CancellationToken);

    private Task<Outcome<HttpResponseMessage>> Run(Script script, RetryState state, double jitter, CancellationToken cancellationToken = default) =>
        Run(new RetryPipeline(_time, new BackoffSchedule(new ScriptedRandom(jitter).Next), _logger), script, state, cancellationToken);

    private Task<Outcome<HttpResponseMessage>> Run(RetryPipeline pipeline, Script script, RetryState state, CancellationToken cancellationToken) =>
        pipeline.ExecuteAsync(
            state,
            (script, state, _time),
            static (s, ct) =>
            {
                var lease = new Lease();
                s.script.Leases.Add(lease);
                s.state.Lease = lease;
                return new ValueTask<HttpResponseMessage>(s.script.Next(s._time));
            },
            cancellationToken).AsTask();

    private sealed class Lease : IDisposable
    {
        public bool Disposed { get; private set; }

        public void Dispose() => Disposed = true;
    }

    private sealed class Script(Func<int, HttpResponseMessage> respond)
    {
        public int Calls { get; private set; }

        public List<double> CallTimes { get; } = [];

        public List<Lease> Leases { get; } = [];

        public List<TrackedResponse> Responses { get; } = [];

        public HttpResponseMessage Next(TimerWatchingTimeProvider time)
        {
            Calls++;
            CallTimes.Add((time.GetUtcNow() - time.Start).TotalMilliseconds);
            var response = respond(Calls);
            var tracked = new TrackedResponse(response);
            Responses.Add(tracked);
            return response;
        }
    }

    private sealed class TrackedResponse
    {
        private readonly TrackingContent _content;

        public TrackedResponse(HttpResponseMessage response)
        {
            _content = new TrackingContent(response.Content);
            response.Content = _content;
        }

        public bool IsDisposed => _content.Disposed;
    }

    private sealed class TrackingContent : HttpContent
    {
        private readonly HttpContent _inner;

        public TrackingContent(HttpContent inner)
        {
            _inner = inner;
            foreach (var header in inner.Headers)
            {
                Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        public bool Disposed { get; private set; }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => _inner.CopyToAsync(stream);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
