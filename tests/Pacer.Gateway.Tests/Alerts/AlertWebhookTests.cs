using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Pacer.Gateway.Alerts;
using Pacer.Gateway.Hosting;

namespace Pacer.Gateway.Tests.Alerts;

public sealed class AlertWebhookTests
{
    private static readonly Alert Firing = new("upstream_429s", "warning", null, "The upstream answered 5 requests with 429.", 5, 5, new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Deliver_ReceiverFailsTwice_PostedAgainAfter1And2SecondsThenDelivered()
    {
        var receiver = new Receiver(_time, failures: 2);
        var logs = new FakeLogCollector();
        using var webhook = Webhook(receiver, new FakeLogger<AlertWebhook>(logs));
        await webhook.StartAsync(CancellationToken.None);

        webhook.Enqueue(Firing).ShouldBeTrue();

        var first = await receiver.NextAsync();
        var second = await AdvanceUntilNextAsync(receiver);
        var third = await AdvanceUntilNextAsync(receiver);

        // Backoff 1 s, then 2 s (the clock moves in 100 ms steps, so each may land up to one step late).
        (second - first).ShouldBeInRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.2));
        (third - second).ShouldBeInRange(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.2));
        receiver.Bodies.Count.ShouldBe(3);
        using var body = JsonDocument.Parse(receiver.Bodies.Last());
        body.RootElement.GetProperty("rule").GetString().ShouldBe("upstream_429s");
        body.RootElement.GetProperty("state").GetString().ShouldBe("firing");
        body.RootElement.GetProperty("startedAt").GetString().ShouldBe("2026-12-04T12:00:00+00:00");
        await webhook.StopAsync(CancellationToken.None);
        logs.GetSnapshot().ShouldBeEmpty();
    }

    [Fact]
    public async Task Deliver_ReceiverAlwaysFails_GivesUpAfterFiveAttemptsAndLogsWithoutTheUrl()
    {
        var receiver = new Receiver(_time, failures: int.MaxValue);
        var logged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var logs = new FakeLogCollector(Microsoft.Extensions.Options.Options.Create(new FakeLogCollectorOptions { OutputSink = _ => logged.TrySetResult() }));
        using var webhook = Webhook(receiver, new FakeLogger<AlertWebhook>(logs));
        await webhook.StartAsync(CancellationToken.None);

        webhook.Enqueue(Firing);
        await receiver.NextAsync();
        for (var attempt = 2; attempt <= AlertWebhook.MaxAttempts; attempt++)
        {
            // Whole-second steps: this test counts the attempts; the one above times the backoff.
            await AdvanceUntilNextAsync(receiver, TimeSpan.FromSeconds(1));
        }

        await logged.Task.WaitAsync(TimeSpan.FromSeconds(10));

        receiver.Bodies.Count.ShouldBe(AlertWebhook.MaxAttempts);
        var line = logs.LatestRecord.Message;
        line.ShouldContain("not delivered after 5 attempts; last error: status 500");
        line.ShouldNotContain("secret-token");
        await webhook.StopAsync(CancellationToken.None);
    }

    [Fact]
    public void Enqueue_NoWebhookConfigured_PostsNothing()
    {
        using var webhook = new AlertWebhook(new GatewayOptions(), new Factory(new Receiver(_time, 0)), _time, NullLogger<AlertWebhook>.Instance);

        webhook.Enqueue(Firing).ShouldBeFalse();
    }

    [Fact]
    public void Enqueue_QueueFull_DropsWithoutWaiting()
    {
        using var webhook = Webhook(new Receiver(_time, 0), NullLogger<AlertWebhook>.Instance);

        for (var i = 0; i < AlertWebhook.Capacity; i++)
        {
            webhook.Enqueue(Firing).ShouldBeTrue();
        }

        webhook.Enqueue(Firing).ShouldBeFalse();
    }

    private AlertWebhook Webhook(Receiver receiver, ILogger<AlertWebhook> logger) =>
        new(new GatewayOptions { Alerts = new AlertOptions { WebhookUrl = new Uri("http://127.0.0.1:9/hook?token=secret-token") } }, new Factory(receiver), _time, logger);

    /// <summary>Moves the fake clock in steps (100 ms unless given) until the sender's next attempt arrives (its backoff timer fired).</summary>
    private async Task<DateTimeOffset> AdvanceUntilNextAsync(Receiver receiver, TimeSpan? stepSize = null)
    {
        for (var step = 0; step < 1000; step++)
        {
            if (await receiver.ArrivedWithinAsync(TimeSpan.FromMilliseconds(20)) is { } at)
            {
                return at;
            }

            _time.Advance(stepSize ?? TimeSpan.FromMilliseconds(100));
        }

        throw new ShouldAssertException("the sender never tried again");
    }

    private sealed class Factory(Receiver receiver) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(receiver, disposeHandler: false);
    }

    /// <summary>Answers 500 to the first <c>failures</c> posts, then 200, noting the fake time of each.</summary>
    private sealed class Receiver(FakeTimeProvider clock, int failures) : HttpMessageHandler
    {
        private readonly Channel<DateTimeOffset> _arrivals = Channel.CreateUnbounded<DateTimeOffset>();
        private int _failuresLeft = failures;

        public ConcurrentQueue<string> Bodies { get; } = new();

        public async Task<DateTimeOffset> NextAsync() => await _arrivals.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        public async Task<DateTimeOffset?> ArrivedWithinAsync(TimeSpan bound)
        {
            try
            {
                await _arrivals.Reader.WaitToReadAsync().AsTask().WaitAsync(bound);
            }
            catch (TimeoutException)
            {
                return null;
            }

            return _arrivals.Reader.TryRead(out var at) ? at : null;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Bodies.Enqueue(await request.Content!.ReadAsStringAsync(cancellationToken));
            var status = Interlocked.Decrement(ref _failuresLeft) >= 0 ? HttpStatusCode.InternalServerError : HttpStatusCode.OK;
            _arrivals.Writer.TryWrite(clock.GetUtcNow());
            return new HttpResponseMessage(status);
        }
    }
}
