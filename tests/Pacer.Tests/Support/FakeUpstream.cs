using System.Collections.Concurrent;

namespace Pacer.Tests.Support;

/// <summary>An in-process upstream: answers each request with the script's response for that call number (1-based).</summary>
internal sealed class FakeUpstream(Func<HttpRequestMessage, int, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private int _calls;

    public FakeUpstream(Func<int, HttpResponseMessage> respond)
        : this((_, n, _) => Task.FromResult(respond(n)))
    {
    }

    public int Calls => Volatile.Read(ref _calls);

    public ConcurrentQueue<Received> Requests { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var contentType = request.Content?.Headers.ContentType?.ToString();
        Requests.Enqueue(new Received(request.Method, request.RequestUri!, headers, contentType, body));
        var response = await respond(request, Interlocked.Increment(ref _calls), cancellationToken);
        response.RequestMessage = request;
        return response;
    }

    public sealed record Received(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, string? ContentType, string? Body);
}
