using System.Net;
using System.Text;
using Pacer.Limiting;
using Pacer.Tests.Support;

namespace Pacer.Tests.Http;

public sealed class PacerHandlerStreamingTests
{
    [Fact]
    public async Task SendAsync_Stream_PassesEventsAsTheyComeAndHoldsTheSlotUntilTheEnd()
    {
        var upstream = new ControlledStream();
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Sse.Response(upstream)));
        using var response = await fixture.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(stream: true)), HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));

        // Nothing past message_start exists yet upstream, so reading it proves the stream is not buffered.
        upstream.Write(Sse.MessageStart(25));
        (await ReadLineAsync(reader)).ShouldBe("event: message_start");
        (await ReadLineAsync(reader))!.ShouldStartWith("data: {\"type\":\"message_start\"");
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(1);

        upstream.Write(Sse.Text("Hi") + Sse.MessageDelta(7));
        upstream.Write(Sse.MessageDelta(15) + Sse.Stop);
        upstream.End();
        var rest = await reader.ReadToEndAsync(TestContext.Current.CancellationToken).WaitAsync(HandlerFixture.Bound, TestContext.Current.CancellationToken);

        rest.ShouldBe("\n" + Sse.Text("Hi") + Sse.MessageDelta(7) + Sse.MessageDelta(15) + Sse.Stop);
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
        var outcome = fixture.SingleOutcome();
        outcome.Streamed.ShouldBeTrue();
        outcome.Usage.ShouldBe(new TokenUsage(25, 15));
        outcome.Error.ShouldBeNull();
        outcome.RequestId.ShouldBe("req_stream");
    }

    [Fact]
    public async Task SendAsync_StreamDisposedEarly_ReleasesTheSlotWithThePartialUsage()
    {
        var upstream = new ControlledStream();
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Sse.Response(upstream)));
        var response = await fixture.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(stream: true)), HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        upstream.Write(Sse.MessageStart(40) + Sse.MessageDelta(3));
        var buffer = new byte[4096];
        var read = 0;
        var expected = Encoding.UTF8.GetByteCount(Sse.MessageStart(40) + Sse.MessageDelta(3));
        while (read < expected)
        {
            read += await stream.ReadAsync(buffer.AsMemory(read), TestContext.Current.CancellationToken).AsTask().WaitAsync(HandlerFixture.Bound, TestContext.Current.CancellationToken);
        }

        fixture.Observer.Outcomes.ShouldBeEmpty();
        response.Dispose();

        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
        upstream.Disposed.ShouldBeTrue();
        var outcome = fixture.SingleOutcome();
        outcome.Usage.ShouldBe(new TokenUsage(40, 3));
        outcome.Error.ShouldBe("stream closed before message_stop");
    }

    [Fact]
    public async Task SendAsync_StreamCutByTheUpstream_EndsWithTheErrorAndReleasesTheSlot()
    {
        var upstream = new ControlledStream();
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Sse.Response(upstream)));
        using var response = await fixture.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(stream: true)), HttpCompletionOption.ResponseHeadersRead);
        upstream.Write(Sse.MessageStart(10));
        upstream.Fail(new IOException("The response ended prematurely."));

        var stream = await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        await Should.ThrowAsync<IOException>(stream.CopyToAsync(Stream.Null, TestContext.Current.CancellationToken).WaitAsync(HandlerFixture.Bound, TestContext.Current.CancellationToken));

        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
        var outcome = fixture.SingleOutcome();
        outcome.Error.ShouldBe("body failed: IOException");
        outcome.Usage.ShouldBe(new TokenUsage(10, 1));
    }

    [Fact]
    public async Task SendAsync_StreamWithAnErrorEvent_ReportsIt()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Sse.Response(Sse.MessageStart(12) + Sse.Overloaded)));

        using var response = await fixture.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(stream: true)));

        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldEndWith(Sse.Overloaded);
        var outcome = fixture.SingleOutcome();
        outcome.StatusCode.ShouldBe(200);
        outcome.Error.ShouldBe("stream error event: overloaded_error");
    }

    [Fact]
    public async Task SendAsync_StreamRefusedBeforeHandOver_IsRetried()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(n => n == 1 ? Responses.Error(529, "overloaded_error") : Sse.Response(Sse.Whole(20, 9))));

        var sending = fixture.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(stream: true)));
        await fixture.Time.AdvanceWhenWaitingAsync(TimeSpan.FromSeconds(1));
        using var response = await HandlerFixture.Settled(sending);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldBe(Sse.Whole(20, 9));
        fixture.SingleOutcome().Usage.ShouldBe(new TokenUsage(20, 9));
        fixture.SingleOutcome().Attempts.ShouldBe(2);
    }

    [Fact]
    public async Task SendAsync_StreamUsage_CompletesThePermitAndCalibratesTheEstimator()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Sse.Response(Sse.Whole(inputTokens: 4, outputTokens: 9))));
        var model = "claude-sonnet-4-5";
        var before = fixture.Limiter.Estimator.CharsPerToken(model);

        using var response = await fixture.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(stream: true)));
        await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        // The body is about 130 characters; 4 real tokens means far more characters per token than the starting ratio.
        fixture.Limiter.Estimator.CharsPerToken(model).ShouldBeGreaterThan(before);
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
    }

    [Fact]
    public async Task SendAsync_StreamUsage_CalibratesTheOutputEstimator()
    {
        using var fixture = new HandlerFixture(new FakeUpstream(_ => Sse.Response(Sse.Whole(inputTokens: 4, outputTokens: 100))));
        var model = "claude-sonnet-4-5";

        for (var i = 0; i < OutputTokenEstimator.WarmUp; i++)
        {
            fixture.Limiter.OutputEstimator.Reserve(model, 8_000).ShouldBe(8_000);
            using var response = await fixture.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(stream: true)));
            await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        }

        fixture.Limiter.OutputEstimator.Reserve(model, 8_000).ShouldBe(100);
    }

    private static async Task<string?> ReadLineAsync(StreamReader reader) =>
        await reader.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(HandlerFixture.Bound, TestContext.Current.CancellationToken);
}
