using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Channels;

namespace Pacer.Tests.Support;

/// <summary>Anthropic-shaped SSE events, and a response stream whose chunks the test releases one by one.</summary>
internal static class Sse
{
    public static string MessageStart(int inputTokens, int cacheRead = 0) =>
        "event: message_start\n" +
        $$$$"""data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":{{{{inputTokens}}}},"output_tokens":1,"cache_creation_input_tokens":0,"cache_read_input_tokens":{{{{cacheRead}}}}}}}""" + "\n\n";

    public static string Text(string text) =>
        "event: content_block_delta\n" +
        $$$"""data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"{{{text}}}"}}""" + "\n\n";

    public const string BlockStart = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n";

    public const string Ping = "event: ping\ndata: {\"type\": \"ping\"}\n\n";

    public const string BlockStop = "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n";

    public const string Stop = "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    public const string Overloaded = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";

    public static string MessageDelta(int outputTokens) =>
        "event: message_delta\n" +
        $$$"""data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":{{{outputTokens}}}}}""" + "\n\n";

    public static string Whole(int inputTokens = 25, int outputTokens = 15) =>
        MessageStart(inputTokens) + BlockStart + Ping + Text("Hello") + Text(" world") + BlockStop + MessageDelta(outputTokens) + Stop;

    public static HttpResponseMessage Response(Stream body)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream") { CharSet = "utf-8" };
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
        response.Headers.TryAddWithoutValidation("request-id", "req_stream");
        return response;
    }

    public static HttpResponseMessage Response(string body) => Response(new MemoryStream(Encoding.UTF8.GetBytes(body)));
}

/// <summary>A read-only stream fed by the test: each <see cref="Write(string)"/> becomes readable, <see cref="End"/> ends it.</summary>
internal sealed class ControlledStream : Stream
{
    private readonly Channel<byte[]> _chunks = Channel.CreateUnbounded<byte[]>();
    private byte[] _current = [];
    private int _offset;

    public bool Disposed { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public void Write(string text) => _chunks.Writer.TryWrite(Encoding.UTF8.GetBytes(text));

    public void End() => _chunks.Writer.TryComplete();

    public void Fail(Exception exception) => _chunks.Writer.TryComplete(exception);

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (_offset == _current.Length)
        {
            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken))
            {
                return 0;
            }

            _chunks.Reader.TryRead(out var next);
            _current = next!;
            _offset = 0;
        }

        var count = Math.Min(buffer.Length, _current.Length - _offset);
        _current.AsMemory(_offset, count).CopyTo(buffer);
        _offset += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
