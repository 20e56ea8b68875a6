using System.Text.Json;
using Pacer.Simulator.Faults;

namespace Pacer.Simulator.Api;

/// <summary>
/// Sends an admitted request's reply: one JSON Message, or an SSE stream (message_start, content_block_start, ping,
/// content_block_delta..., content_block_stop, message_delta, message_stop) paced by the latency model, with the
/// stream faults (cut, stall, malformed, error event) applied after their event count.
/// </summary>
internal sealed class ReplyWriter(Pacing pacing, FaultResponder faults)
{
    private const int TokensPerDelta = 3;

    public async Task WriteMessageAsync(Answer answer)
    {
        var call = answer.Call;
        var reply = answer.Reply;
        var draws = pacing.Draws(answer.Request);
        await pacing.WaitAsync(FirstByteDelay(answer, draws) + pacing.Tokens(reply.OutputTokens, draws), call.Aborted).ConfigureAwait(false);
        answer.Lease.Produce(reply.OutputTokens);
        var response = call.Http.Response;
        call.WriteLimitHeaders(answer.Lease.Read());
        response.StatusCode = 200;
        response.ContentType = "application/json";
        using (var json = new Utf8JsonWriter(response.BodyWriter, JsonOutput.Options))
        {
            MessageJson.WriteMessage(json, answer.MessageId, answer.Request.Model.Id, reply.Text, reply.StopReason, reply.StopSequence, answer.Usage, reply.OutputTokens);
        }

        await response.BodyWriter.FlushAsync(call.Aborted).ConfigureAwait(false);
    }

    public async Task WriteStreamAsync(Answer answer)
    {
        var call = answer.Call;
        var response = call.Http.Response;
        var fault = answer.Fault.IsStreamOnly ? answer.Fault : null;
        var events = Events(answer);
        var sse = new SseWriter(response);
        var draws = pacing.Draws(answer.Request);

        await pacing.WaitAsync(FirstByteDelay(answer, draws), call.Aborted).ConfigureAwait(false);
        call.WriteLimitHeaders(answer.Lease.Read());
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";

        for (var i = 0; i < events.Count; i++)
        {
            if (fault is not null && sse.Sent >= fault.Argument && fault.Kind != FaultKind.None)
            {
                var ends = await PlayAsync(fault, sse, answer).ConfigureAwait(false);
                if (ends)
                {
                    return;
                }

                fault = null;
            }

            var (name, write, tokens) = events[i];
            if (tokens > 0 && pacing.Enabled)
            {
                await sse.FlushAsync(call.Aborted).ConfigureAwait(false);
                await pacing.WaitAsync(pacing.Tokens(tokens, draws), call.Aborted).ConfigureAwait(false);
            }

            sse.Event(name, write);
            answer.Lease.Produce(tokens);
        }

        await sse.FlushAsync(call.Aborted).ConfigureAwait(false);
    }

    /// <summary>Plays a stream fault; true when the stream ends with it.</summary>
    private async Task<bool> PlayAsync(FaultStep fault, SseWriter sse, Answer answer)
    {
        var call = answer.Call;
        switch (fault.Kind)
        {
            case FaultKind.Cut:
                await sse.FlushAsync(call.Aborted).ConfigureAwait(false);
                return true;
            case FaultKind.Stall:
                await sse.FlushAsync(call.Aborted).ConfigureAwait(false);
                await faults.HangAsync(call).ConfigureAwait(false);
                call.Http.Abort();
                return true;
            case FaultKind.ErrorEvent:
                sse.Event("error", json => ApiCall.WriteErrorBody(json, "overloaded_error", "Overloaded", null, call.RequestId));
                await sse.FlushAsync(call.Aborted).ConfigureAwait(false);
                return true;
            default:
                sse.Raw("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"\n\n");
                return false;
        }
    }

    private TimeSpan FirstByteDelay(Answer answer, LatencyDraws draws) =>
        pacing.FirstToken(draws) + (answer.Fault.Kind == FaultKind.Slow ? TimeSpan.FromMilliseconds(answer.Fault.Argument) : TimeSpan.Zero);

    private static List<(string Name, Action<Utf8JsonWriter> Write, long Tokens)> Events(Answer answer)
    {
        var reply = answer.Reply;
        var model = answer.Request.Model.Id;
        var events = new List<(string, Action<Utf8JsonWriter>, long)>
        {
            ("message_start", json =>
            {
                json.WriteStartObject();
                json.WriteString("type", "message_start");
                json.WritePropertyName("message");
                MessageJson.WriteMessage(json, answer.MessageId, model, null, null, null, answer.Usage, 1);
                json.WriteEndObject();
            }, 0),
            ("content_block_start", json =>
            {
                json.WriteStartObject();
                json.WriteString("type", "content_block_start");
                json.WriteNumber("index", 0);
                json.WritePropertyName("content_block");
                MessageJson.WriteTextBlock(json, "");
                json.WriteEndObject();
            }, 0),
            ("ping", json =>
            {
                json.WriteStartObject();
                json.WriteString("type", "ping");
                json.WriteEndObject();
            }, 0),
        };

        for (var start = 0; start < reply.Tokens.Length; start += TokensPerDelta)
        {
            var count = Math.Min(TokensPerDelta, reply.Tokens.Length - start);
            var text = string.Concat(reply.Tokens.AsSpan(start, count));
            events.Add(("content_block_delta", json =>
            {
                json.WriteStartObject();
                json.WriteString("type", "content_block_delta");
                json.WriteNumber("index", 0);
                json.WriteStartObject("delta");
                json.WriteString("type", "text_delta");
                json.WriteString("text", text);
                json.WriteEndObject();
                json.WriteEndObject();
            }, count));
        }

        events.Add(("content_block_stop", json =>
        {
            json.WriteStartObject();
            json.WriteString("type", "content_block_stop");
            json.WriteNumber("index", 0);
            json.WriteEndObject();
        }, 0));
        events.Add(("message_delta", json =>
        {
            json.WriteStartObject();
            json.WriteString("type", "message_delta");
            json.WriteStartObject("delta");
            json.WriteString("stop_reason", reply.StopReason);
            if (reply.StopSequence is null)
            {
                json.WriteNull("stop_sequence");
            }
            else
            {
                json.WriteString("stop_sequence", reply.StopSequence);
            }

            json.WriteEndObject();
            json.WritePropertyName("usage");
            MessageJson.WriteDeltaUsage(json, answer.Usage, reply.OutputTokens);
            json.WriteEndObject();
        }, 0));
        events.Add(("message_stop", json =>
        {
            json.WriteStartObject();
            json.WriteString("type", "message_stop");
            json.WriteEndObject();
        }, 0));
        return events;
    }
}
