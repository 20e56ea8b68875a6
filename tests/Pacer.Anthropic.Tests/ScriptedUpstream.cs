using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Pacer.Anthropic.Tests;

/// <summary>The Anthropic API as the tests script it, in process: each request gets the next response of the script.</summary>
internal sealed class ScriptedUpstream(params Func<HttpResponseMessage>[] script) : HttpMessageHandler
{
    private int _calls;

    public ConcurrentQueue<(HttpRequestMessage Request, string Body)> Received { get; } = new();

    public int Calls => Volatile.Read(ref _calls);

    public static HttpResponseMessage Json(string body) => new(HttpStatusCode.OK)
    {
        Content = new StringContent(body, Encoding.UTF8, "application/json"),
        Headers = { { "request-id", "req_011CTracked" } },
    };

    public static HttpResponseMessage Sse(string body)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8) };
        response.Content.Headers.ContentType = new("text/event-stream");
        response.Headers.Add("request-id", "req_011CStream");
        return response;
    }

    public static string Message(string model, int input, int output) =>
        $$$"""{"id":"msg_01","type":"message","role":"assistant","model":"{{{model}}}","content":[{"type":"text","text":"A scene."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":{{{input}}},"output_tokens":{{{output}}},"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}""";

    public static string Stream(string model, int input, int output) =>
        "event: message_start\n" +
        $$$$"""data: {"type":"message_start","message":{"id":"msg_02","type":"message","role":"assistant","model":"{{{{model}}}}","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":{{{{input}}}},"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}}""" + "\n\n" +
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n" +
        "event: ping\ndata: {\"type\": \"ping\"}\n\n" +
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"A scene.\"}}\n\n" +
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
        "event: message_delta\n" +
        $$$"""data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":{{{output}}}}}""" + "\n\n" +
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        Received.Enqueue((request, body));
        var call = Interlocked.Increment(ref _calls);
        var response = script[Math.Min(call, script.Length) - 1]();
        response.RequestMessage = request;
        return response;
    }
}
