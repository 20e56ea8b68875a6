using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Pacer.Configuration;
using Pacer.Gateway.Hosting;
using Pacer.Gateway.Operations;
using Pacer.Gateway.Proxy;
using Pacer.Http;
using Pacer.Limiting;

namespace Pacer.Gateway.Tests.Proxy;

public sealed class ResponseRelayTests
{
    private const string Body = """{"type":"message","usage":{"input_tokens":10,"output_tokens":5}}""";
    private const string Start = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n";
    private const string Delta = "event: message_delta\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":30}}\n\n";
    private const string Stop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    [Fact]
    public async Task CopyAsync_MessagesAnswerTheEngineRead_WritesItWholeWithTheEnginesUsage()
    {
        using var upstream = await Through(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(Body, Encoding.UTF8, "application/json") });

        var (result, written) = await Relay(upstream, eventStream: false);

        result.ShouldBe(new RelayResult(StreamEnd.Completed, new TokenUsage(10, 5)));
        written.ShouldBe(Body);
    }

    [Fact]
    public async Task CopyAsync_StreamInOddPieces_ForwardsWholeEventsAndTheEnginesUsage()
    {
        var stream = Start + Delta + Stop;
        using var upstream = await Through(SseAnswer(new PiecewiseStream(Encoding.UTF8.GetBytes(stream), 7)));

        var (result, written) = await Relay(upstream, eventStream: true);

        result.ShouldBe(new RelayResult(StreamEnd.Completed, new TokenUsage(12, 30)));
        written.ShouldBe(stream);
    }

    [Fact]
    public async Task CopyAsync_StreamEndsBeforeMessageStop_TruncatedWithAnErrorEventAfterTheWholeEvents()
    {
        using var upstream = await Through(SseAnswer(new PiecewiseStream(Encoding.UTF8.GetBytes(Start + Delta + "event: content_block_delta\ndata: {\"ty"), 5)));

        var (result, written) = await Relay(upstream, eventStream: true);

        result.End.ShouldBe(StreamEnd.Truncated);
        written.ShouldStartWith(Start + Delta + "event: error\n");
        written.ShouldNotContain("content_block_delta");
    }

    private static HttpResponseMessage SseAnswer(Stream body)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new("text/event-stream");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    /// <summary>Sends a Messages request through a real <see cref="PacerHandler"/> whose upstream gives <paramref name="answer"/>.</summary>
    private static async Task<HttpResponseMessage> Through(HttpResponseMessage answer)
    {
        var limiter = new Limiter(new PacerOptions());
        var client = new HttpClient(new PacerHandler(limiter) { InnerHandler = new Answering(answer) });
        var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/v1/messages");
        request.SetPacerContent("""{"model":"claude-sonnet-4-5","max_tokens":64,"messages":[]}"""u8.ToArray(), limiter);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
    }

    private static async Task<(RelayResult Result, string Written)> Relay(HttpResponseMessage upstream, bool eventStream)
    {
        using var gate = new ShutdownGate(TimeSpan.FromSeconds(5), TimeProvider.System);
        var relay = new ResponseRelay(new GatewayOptions(), gate, TimeProvider.System);
        using var sent = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.Body = sent;

        var result = await relay.CopyAsync(upstream, context, eventStream).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        return (result, Encoding.UTF8.GetString(sent.ToArray()));
    }

    private sealed class Answering(HttpResponseMessage answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => Task.FromResult(answer);
    }

    /// <summary>A body that gives at most <paramref name="piece"/> bytes per read, as a network does.</summary>
    private sealed class PiecewiseStream(byte[] bytes, int piece) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(piece, buffer.Length)], cancellationToken);

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(piece, buffer.Length)]);
    }
}
