using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Pacer.Tests.Interop;

/// <summary>
/// A real HTTP server on 127.0.0.1 and a free port, answering <c>POST /v1/messages</c> from a script (call number → status,
/// headers, body), and recording each request's headers and the fake time at which it arrived.
/// </summary>
internal sealed class FakeAnthropicServer : IAsyncDisposable
{
    private WebApplication _app = null!;
    private int _calls;

    public Uri BaseAddress { get; private set; } = null!;

    public ConcurrentQueue<Arrival> Arrivals { get; } = new();

    public int Calls => Volatile.Read(ref _calls);

    public static async Task<FakeAnthropicServer> StartAsync(TimeProvider clock, Func<int, Answer> script)
    {
        var server = new FakeAnthropicServer();
        (server._app, server.BaseAddress) = await LoopbackApp.StartAsync(app => app.MapPost("/v1/messages", async (HttpContext context) =>
        {
            var call = Interlocked.Increment(ref server._calls);
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            server.Arrivals.Enqueue(new Arrival(call, clock.GetUtcNow(), headers, body));
            var answer = script(call);
            context.Response.StatusCode = answer.Status;
            foreach (var (name, value) in answer.Headers)
            {
                context.Response.Headers[name] = value;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer.Body, context.RequestAborted);
        }));
        return server;
    }

    public ValueTask DisposeAsync() => LoopbackApp.StopAsync(_app);

    public sealed record Answer(int Status, string Body, params (string Name, string Value)[] Headers);

    public sealed record Arrival(int Call, DateTimeOffset At, Dictionary<string, string> Headers, string Body);
}
