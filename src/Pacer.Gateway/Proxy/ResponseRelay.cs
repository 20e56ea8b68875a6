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
    private const int ChunkSize = 16 * 1024;
    private const int MaxUsageBodyBytes = 1024 * 1024;

    public async Task<RelayResult> CopyAsync(HttpResponseMessage upstream, HttpContext context, bool eventStream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(context);
        if (!eventStream && ResponseBuffer.TryGetBuffered(upstream.Content, out var whole))
        {
            return await WriteWholeAsync(upstream, whole, context).ConfigureAwait(false);
        }

        var aborted = context.RequestAborted;
        var framer = eventStream ? new SseEventFramer() : null;
        using var tee = eventStream || !IsJson(upstream) ? null : new MemoryStream();
        using var idle = new CancellationTokenSource(options.StreamIdleTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(aborted, idle.Token, gate.DrainOver);
        var chunk = ArrayPool<byte>.Shared.Rent(ChunkSize);
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
                        read = await source.ReadAsync(chunk.AsMemory(0, ChunkSize), linked.Token).ConfigureAwait(false);
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
                        end = framer is null || framer.Finished ? StreamEnd.Completed : StreamEnd.Truncated;
                        break;
                    }

                    idle.CancelAfter(options.StreamIdleTimeout);
                    if (tee is not null && tee.Length + read <= MaxUsageBodyBytes)
                    {
                        tee.Write(chunk, 0, read);
                    }

                    if (!await ForwardAsync(framer, chunk.AsMemory(0, read), context.Response, aborted).ConfigureAwait(false))
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
            ArrayPool<byte>.Shared.Return(chunk);
        }

        await EndAsync(end, framer, context).ConfigureAwait(false);
        var usage = framer?.Usage ?? default;
        if (tee is not null && end == StreamEnd.Completed)
        {
            UsageReader.TryRead(tee.GetBuffer().AsSpan(0, (int)tee.Length), ref usage);
        }

        return new RelayResult(end, usage.HasValue ? usage.ToUsage() : null);
    }

    /// <summary>
    /// A body the engine already holds in memory (a Messages answer, read for its usage) goes out in one write,
    /// without the chunk loop, the idle timer or a second copy for the usage; the usage is the one the engine read.
    /// </summary>
    private static async Task<RelayResult> WriteWholeAsync(HttpResponseMessage upstream, ReadOnlyMemory<byte> body, HttpContext context)
    {
        try
        {
            await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception error) when (error is OperationCanceledException or IOException)
        {
            return new RelayResult(StreamEnd.ClientGone, null);
        }

        if (BufferedUsage.Of(upstream) is { } read)
        {
            return new RelayResult(StreamEnd.Completed, read.Usage);
        }

        // A body the engine buffered without reading its usage (an error body it looked into): read it here.
        var usage = default(UsageAccumulator);
        if (body.Length <= MaxUsageBodyBytes && IsJson(upstream))
        {
            UsageReader.TryRead(body.Span, ref usage);
        }

        return new RelayResult(StreamEnd.Completed, usage.HasValue ? usage.ToUsage() : null);
    }

    private static async Task<bool> ForwardAsync(SseEventFramer? framer, ReadOnlyMemory<byte> data, HttpResponse response, CancellationToken aborted)
    {
        try
        {
            if (framer is null)
            {
                await response.Body.WriteAsync(data, aborted).ConfigureAwait(false);
                return true;
            }

            framer.Append(data.Span);
            var events = framer.TakeWholeEvents();
            if (!events.IsEmpty)
            {
                await response.Body.WriteAsync(events, aborted).ConfigureAwait(false);
                await response.Body.FlushAsync(aborted).ConfigureAwait(false);
            }

            return true;
        }
        catch (Exception error) when (error is OperationCanceledException or IOException)
        {
            return false;
        }
    }

    private static async Task EndAsync(StreamEnd end, SseEventFramer? framer, HttpContext context)
    {
        if (end is StreamEnd.Completed or StreamEnd.ClientGone)
        {
            return;
        }

        if (framer is null)
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

    private static bool IsJson(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true;
}
