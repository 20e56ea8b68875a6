using System.Buffers;
using Pacer.Gateway.Hosting;
using Pacer.Gateway.Operations;
using Pacer.Http;

namespace Pacer.Gateway.Proxy;

/// <summary>
/// Copies an upstream response body to the caller as it arrives; a body the engine already read goes in one write.
/// A stream goes event by event, flushed after each; if it is cut, stalls past the idle time, or outlives shutdown, it
/// ends with an SSE <c>error</c> event, never with a clean end that would hide the truncation. A plain body that breaks
/// off aborts the connection for the same reason.
/// </summary>
internal sealed class ResponseRelay(GatewayOptions options, ShutdownGate gate, TimeProvider timeProvider)
{
    /// <summary>A single event larger than this is forwarded as it comes rather than held whole.</summary>
    public const int MaxHeldBytes = 1024 * 1024;

    private const int ChunkSize = 16 * 1024;

    public async Task<RelayResult> CopyAsync(HttpResponseMessage upstream, HttpContext context, bool eventStream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(context);

        // The engine's reader of the answer: its usage and, for a stream, where its whole events end.
        var pacing = upstream.RequestMessage?.GetPacerContext();
        if (!eventStream && upstream.Content is ByteArrayContent)
        {
            return await WriteWholeAsync(upstream, pacing, context).ConfigureAwait(false);
        }

        var aborted = context.RequestAborted;
        using var idle = new CancellationTokenSource(options.StreamIdleTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, idle.Token, gate.DrainOver);
        var held = new HeldBytes();
        var end = StreamEnd.Completed;
        try
        {
            var source = await upstream.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (source.ConfigureAwait(false))
            {
                while (true)
                {
                    int read;
                    try
                    {
                        read = await source.ReadAsync(held.Free(ChunkSize), linked.Token).ConfigureAwait(false);
                    }
                    catch (Exception error) when (error is OperationCanceledException or IOException or HttpRequestException)
                    {
                        end = aborted.IsCancellationRequested ? StreamEnd.ClientGone
                            : idle.IsCancellationRequested ? StreamEnd.Stalled
                            : gate.DrainOver.IsCancellationRequested ? StreamEnd.ShuttingDown
                            : StreamEnd.Cut;
                        break;
                    }

                    if (read == 0)
                    {
                        // Without the engine's reader the end of a stream cannot be judged; it is taken as it comes.
                        end = !eventStream || pacing is null || pacing.StreamFinished ? StreamEnd.Completed : StreamEnd.Truncated;
                        break;
                    }

                    idle.CancelAfter(options.StreamIdleTimeout);
                    held.Received(read);

                    // A stream goes out in whole events (the engine's reader says where they end) and is flushed after each
                    // batch; a plain body, or one not read by the engine, goes out as it comes.
                    var upTo = eventStream && pacing is not null && held.Count <= MaxHeldBytes ? pacing.StreamEventBytes : held.Total;
                    if (!await ForwardAsync(held, upTo, eventStream, context.Response, aborted).ConfigureAwait(false))
                    {
                        end = StreamEnd.ClientGone;
                        break;
                    }
                }
            }
        }
        catch (Exception error) when (error is OperationCanceledException or IOException or HttpRequestException)
        {
            end = aborted.IsCancellationRequested ? StreamEnd.ClientGone : StreamEnd.Cut;
        }
        finally
        {
            held.Dispose();
        }

        await EndAsync(end, eventStream, context).ConfigureAwait(false);

        // The body has ended (its stream is disposed), so the engine's usage is whole.
        return new RelayResult(end, pacing?.Usage);
    }

    /// <summary>
    /// A body already in memory (a Messages answer the engine read for its usage, or one of Pacer's own answers) goes out
    /// in one write, without the chunk loop, the idle timer or a second parse: the usage is the one the engine read.
    /// </summary>
    private static async Task<RelayResult> WriteWholeAsync(HttpResponseMessage upstream, PacerRequestContext? pacing, HttpContext context)
    {
        try
        {
            await upstream.Content.CopyToAsync(context.Response.Body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or IOException)
        {
            return new RelayResult(StreamEnd.ClientGone, null);
        }

        return new RelayResult(StreamEnd.Completed, pacing?.Usage);
    }

    private static async Task<bool> ForwardAsync(HeldBytes held, long upTo, bool flush, HttpResponse response, CancellationToken aborted)
    {
        if (held.Ready(upTo) is not { IsEmpty: false } ready)
        {
            return true;
        }

        try
        {
            await response.Body.WriteAsync(ready, aborted).ConfigureAwait(false);
            if (flush)
            {
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
            }

            held.Sent(ready.Length);
            return true;
        }
        catch (Exception error) when (error is OperationCanceledException or IOException)
        {
            return false;
        }
    }

    private static async Task EndAsync(StreamEnd end, bool eventStream, HttpContext context)
    {
        if (end is StreamEnd.Completed or StreamEnd.ClientGone)
        {
            return;
        }

        if (!eventStream)
        {
            // A plain body cannot carry an error event: abort, so that the caller sees a failure, not a short body.
            context.Abort();
            return;
        }

        var (type, message) = end switch
        {
            StreamEnd.Stalled => ("timeout_error", "The upstream stream went silent for longer than the gateway's idle limit (PACER_STREAM_IDLE_TIMEOUT); it was ended."),
            StreamEnd.ShuttingDown => ("overloaded_error", "The gateway is shutting down and ended this stream; retry the request."),
            StreamEnd.Truncated => ("api_error", "The upstream stream ended before message_stop; the response is incomplete."),
            _ => ("api_error", "The upstream connection broke during the stream; the response is incomplete."),
        };
        try
        {
            await context.Response.Body.WriteAsync(AnthropicError.StreamEvent(type, message), context.RequestAborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or IOException)
        {
            context.Abort();
        }
    }
}

/// <summary>
/// The bytes read from upstream and not yet sent to the caller, in one pooled buffer: the upstream reads straight into
/// its free end, and whole events leave from its front.
/// </summary>
internal sealed class HeldBytes : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);

    /// <summary>Gets the bytes held.</summary>
    public int Count { get; private set; }

    /// <summary>Gets the bytes received in all: those sent and those held.</summary>
    public long Total { get; private set; }

    /// <summary>Gets room for at least <paramref name="size"/> more bytes at the end.</summary>
    public Memory<byte> Free(int size)
    {
        if (_buffer.Length - Count < size)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Count + size);
            _buffer.AsSpan(0, Count).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return _buffer.AsMemory(Count);
    }

    /// <summary>Counts <paramref name="read"/> bytes just read into <see cref="Free"/>.</summary>
    public void Received(int read)
    {
        Count += read;
        Total += read;
    }

    /// <summary>Gets the held bytes that lie before stream position <paramref name="upTo"/>.</summary>
    public ReadOnlyMemory<byte> Ready(long upTo)
    {
        var sentSoFar = Total - Count;
        return upTo <= sentSoFar ? ReadOnlyMemory<byte>.Empty : _buffer.AsMemory(0, (int)Math.Min(upTo - sentSoFar, Count));
    }

    /// <summary>Drops the first <paramref name="sent"/> bytes, which reached the caller.</summary>
    public void Sent(int sent)
    {
        _buffer.AsSpan(sent, Count - sent).CopyTo(_buffer);
        Count -= sent;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
