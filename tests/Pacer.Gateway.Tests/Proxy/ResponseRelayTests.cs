using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Pacer.Gateway.Hosting;
using Pacer.Gateway.Operations;
using Pacer.Gateway.Proxy;
using Pacer.Http;
using Pacer.Limiting;

namespace Pacer.Gateway.Tests.Proxy;

public sealed class ResponseRelayTests
{
    private const string Body = """{"type":"message","usage":{"input_tokens":10,"output_tokens":5}}""";

    [Fact]
    public async Task CopyAsync_BodyWhoseUsageTheEngineRead_ReportsThatUsageWithoutParsingAgain()
    {
        using var upstream = await BufferedAnswer();

        // A usage that differs from the body's, so that the test sees which one the relay reports.
        upstream.RequestMessage!.Options.Set(BufferedUsage.Key, new BufferedUsage(new TokenUsage(99, 77)));
        var (result, written) = await Relay(upstream);

        result.ShouldBe(new RelayResult(StreamEnd.Completed, new TokenUsage(99, 77)));
        written.ShouldBe(Body);
    }

    [Fact]
    public async Task CopyAsync_BufferedBodyTheEngineDidNotRead_ParsesItsUsage()
    {
        using var upstream = await BufferedAnswer();

        var (result, written) = await Relay(upstream);

        result.ShouldBe(new RelayResult(StreamEnd.Completed, new TokenUsage(10, 5)));
        written.ShouldBe(Body);
    }

    private static async Task<HttpResponseMessage> BufferedAnswer()
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(Body, Encoding.UTF8, "application/json"),
            RequestMessage = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/v1/messages"),
        };
        await ResponseBuffer.BufferAsync(response, TestContext.Current.CancellationToken);
        return response;
    }

    private static async Task<(RelayResult Result, string Written)> Relay(HttpResponseMessage upstream)
    {
        using var gate = new ShutdownGate(TimeSpan.FromSeconds(5), TimeProvider.System);
        var relay = new ResponseRelay(new GatewayOptions(), gate, TimeProvider.System);
        using var sent = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.Body = sent;

        var result = await relay.CopyAsync(upstream, context, eventStream: false).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        return (result, Encoding.UTF8.GetString(sent.ToArray()));
    }
}
