using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Pacer.Configuration;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Telemetry;
using Pacer.Tests.Support;

namespace Pacer.Tests.Telemetry;

public sealed class PacerTelemetryTests
{
    private static readonly string[] SeedEvents = ["Attempt", "CurrentRequests", "RecentRequests", "RateLimited", "Retrying"];

    [Fact]
    public async Task SendAsync_RateLimitThenSuccess_LogsTheSeedsLinesInOrder()
    {
        using var fixture = new HandlerFixture(
            new FakeUpstream(n => n == 1 ? Responses.RateLimited() : Responses.Json(200, Responses.Message(30, 8))),
            new PacerOptions(),
            0.994);
        using var request = HandlerFixture.Messages();
        request.Options.Set(PacerRequestOptions.Endpoint, "/api/generate-scene");

        var sending = fixture.SendAsync(request);
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromMilliseconds(1247));
        using var response = await HandlerFixture.Settled(sending);

        var lines = fixture.Logger.Collector.GetSnapshot().Where(r => SeedEvents.Contains(r.Id.Name)).Select(r => r.Message).ToArray();
        lines.ShouldBe(
        [
            "🔄 Attempt 1/4 for /api/generate-scene",
            "📊 Current requests: 1/5",
            "📈 Recent requests: 1/50",
            "🚦 Rate limit detected on attempt 1",
            "⏳ Retrying in 1247ms...",
            "🔄 Attempt 2/4 for /api/generate-scene",
            "📊 Current requests: 1/5",
            "📈 Recent requests: 2/50",
        ]);
        var attempt = fixture.Logger.Collector.GetSnapshot().First(r => r.Id.Name == "Attempt");
        attempt.StructuredState!.ShouldContain(new KeyValuePair<string, string?>("Endpoint", "/api/generate-scene"));
        attempt.StructuredState!.ShouldContain(new KeyValuePair<string, string?>("Attempts", "4"));
    }

    [Fact]
    public async Task SendAsync_AnyOutcome_NeverLogsTheApiKey()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(n => n switch
        {
            1 => throw new HttpRequestException("Connection refused"),
            2 => Responses.RateLimited("1"),
            _ => Responses.Error(401, "authentication_error"),
        }));

        var sending = fixture.SendAsync(HandlerFixture.Messages());
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        using var response = await HandlerFixture.Settled(sending);

        var records = fixture.Logger.Collector.GetSnapshot();
        records.Count.ShouldBeGreaterThan(8);
        foreach (var record in records)
        {
            record.Message.ShouldNotContain("secret-test-key");
            (record.StructuredState ?? []).ShouldAllBe(kv => kv.Value == null || !kv.Value.Contains("secret-test-key"));
        }

        fixture.SingleOutcome().Error!.ShouldNotContain("secret-test-key");
    }

    [Fact]
    public async Task SendAsync_RetriedRequest_RecordsEveryInstrument()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(n => n == 1 ? Responses.RateLimited("2") : Responses.Json(200, Responses.Message(30, 8))));
        var meter = fixture.Metrics.Meter;
        using var requests = new MetricCollector<long>(meter, PacerMeter.Requests);
        using var attempts = new MetricCollector<long>(meter, PacerMeter.Attempts);
        using var retries = new MetricCollector<long>(meter, PacerMeter.Retries);
        using var rateLimited = new MetricCollector<long>(meter, PacerMeter.RateLimited);
        using var queueWait = new MetricCollector<double>(meter, PacerMeter.QueueWait);
        using var reserved = new MetricCollector<long>(meter, PacerMeter.TokensReserved);
        using var used = new MetricCollector<long>(meter, PacerMeter.TokensUsed);

        var sending = fixture.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(maxTokens: 1000)));
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(2));
        using var response = await HandlerFixture.Settled(sending);

        var request = requests.GetMeasurementSnapshot().ShouldHaveSingleItem();
        request.Value.ShouldBe(1);
        request.Tags[PacerMeter.OutcomeTag].ShouldBe("success");
        request.Tags[PacerMeter.StatusCodeTag].ShouldBe(200);
        attempts.GetMeasurementSnapshot().Sum(m => m.Value).ShouldBe(2);
        retries.GetMeasurementSnapshot().ShouldHaveSingleItem().Tags[PacerMeter.ReasonTag].ShouldBe("retryable_status");
        rateLimited.GetMeasurementSnapshot().Sum(m => m.Value).ShouldBe(1);
        queueWait.GetMeasurementSnapshot().Count.ShouldBe(2);
        reserved.GetMeasurementSnapshot().Where(m => (string)m.Tags[PacerMeter.TokenTypeTag]! == "output").Sum(m => m.Value).ShouldBe(2000);
        reserved.GetMeasurementSnapshot().Where(m => (string)m.Tags[PacerMeter.TokenTypeTag]! == "input").ShouldAllBe(m => m.Value > 0);
        used.GetMeasurementSnapshot().Select(m => ((string)m.Tags[PacerMeter.TokenTypeTag]!, m.Value)).ShouldBe([("input", 30L), ("output", 8L)], ignoreOrder: true);
        used.GetMeasurementSnapshot().ShouldAllBe(m => (string)m.Tags[PacerMeter.ModelTag]! == "claude-sonnet-4-5");
    }

    [Fact]
    public async Task Gauges_ReadTheLimiter_InFlightAndQueued()
    {
        var options = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 1 };
        var stream = new ControlledStream();
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Sse.Response(stream)), options);
        using var inFlight = new MetricCollector<int>(fixture.Metrics.Meter, PacerMeter.InFlight);
        using var queued = new MetricCollector<int>(fixture.Metrics.Meter, PacerMeter.Queued);

        var holding = await fixture.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(stream: true)), HttpCompletionOption.ResponseHeadersRead);
        var waiting = fixture.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(stream: true)), HttpCompletionOption.ResponseHeadersRead);
        inFlight.RecordObservableInstruments();
        queued.RecordObservableInstruments();

        inFlight.LastMeasurement!.Value.ShouldBe(1);
        queued.LastMeasurement!.Value.ShouldBe(1);
        holding.Dispose();
        using var second = await HandlerFixture.Settled(waiting);
        queued.RecordObservableInstruments();
        queued.LastMeasurement!.Value.ShouldBe(0);
    }

    [Fact]
    public async Task Gauges_QueuedByPriority_OneMeasurementPerClass()
    {
        var options = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 1 };
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, Responses.Message(1, 1))), options);
        using var byPriority = new MetricCollector<int>(fixture.Metrics.Meter, PacerMeter.QueuedByPriority);
        fixture.Limiter.TryAcquire(new AcquireRequest("k", "claude-sonnet-4-5", "holder", default), out var holder).ShouldBeTrue();
        var batch = fixture.Limiter.AcquireAsync(new AcquireRequest("k", "claude-sonnet-4-5", "b", default) { Priority = RequestPriority.Batch }, TestContext.Current.CancellationToken);

        byPriority.RecordObservableInstruments();

        byPriority.GetMeasurementSnapshot().Select(m => ((string)m.Tags[PacerMeter.PriorityTag]!, m.Value))
            .ShouldBe([("interactive", 0), ("batch", 1)], ignoreOrder: true);
        holder!.Dispose();
        (await batch).Dispose();
    }

    [Fact]
    public async Task SendAsync_CountTokens_ReservesNoTokens()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Responses.Json(200, """{"input_tokens":14}""")));
        using var reserved = new MetricCollector<long>(fixture.Metrics.Meter, PacerMeter.TokensReserved);

        using var response = await fixture.SendAsync(HandlerFixture.Messages(path: "/v1/messages/count_tokens"));

        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe("""{"input_tokens":14}""");
        reserved.GetMeasurementSnapshot().ShouldBeEmpty();
        fixture.SingleOutcome().Model.ShouldBe("claude-sonnet-4-5");
        fixture.SingleOutcome().Usage.ShouldBeNull();
    }
}
