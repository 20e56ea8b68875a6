using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Pacer.Dashboard.Tests.Support;

/// <summary>A real HTTP listener on 127.0.0.1 that takes webhook POSTs; it can fail the first ones with 500.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private WebApplication _app = null!;
    private int _failuresLeft;

    private WebhookReceiver(int failFirst) => _failuresLeft = failFirst;

    public Uri Url { get; private set; } = null!;

    /// <summary>Gets every delivery the receiver accepted, in order.</summary>
    public Channel<string> Accepted { get; } = Channel.CreateUnbounded<string>();

    /// <summary>Gets how many POSTs arrived, refused ones included.</summary>
    public int Received => _received;

    private int _received;

    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0)
    {
        var receiver = new WebhookReceiver(failFirst);
        (receiver._app, var address) = await LoopbackApp.StartAsync(app => app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            Interlocked.Increment(ref receiver._received);
            if (Interlocked.Decrement(ref receiver._failuresLeft) >= 0)
            {
                return Results.StatusCode(500);
            }

            receiver.Accepted.Writer.TryWrite(body);
            return Results.Ok();
        }));
        receiver.Url = new Uri(address, "/hook");
        return receiver;
    }

    public ValueTask DisposeAsync() => LoopbackApp.StopAsync(_app);
}
