using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Pacer.Goodput.Soak;

/// <summary>How one request through the gateway ended, as its caller saw it.</summary>
internal enum SoakEnd
{
    /// <summary>200 with a whole message: a JSON <c>message</c>, or a stream that ended with <c>message_stop</c>.</summary>
    Success,

    /// <summary>A classified Anthropic error: an error status with <c>{"type":"error","error":{"type":...}}</c>.</summary>
    ErrorStatus,

    /// <summary>A stream that ended with an SSE <c>error</c> event naming its type.</summary>
    ErrorEvent,

    /// <summary>A stream that ended without <c>message_stop</c> and without an error event: a truncated reply passed off as whole.</summary>
    Truncated,

    /// <summary>Anything else: a broken connection, an unreadable body, an error without Anthropic's shape, no answer in time.</summary>
    Unclean,
}

/// <summary>One request's end, the upstream <c>request-id</c> the gateway relayed, and the output tokens the reply reported.</summary>
internal sealed record SoakOutcome(SoakEnd End, bool Stream, int Status, string Detail, string? RequestId, long? OutputTokens)
{
    /// <summary>Gets a short label for the outcome table: the error type, or what was wrong.</summary>
    public string Label => End switch
    {
        SoakEnd.Success => Stream ? "200 stream, message_stop" : "200 message",
        SoakEnd.ErrorStatus => string.Create(CultureInfo.InvariantCulture, $"{Status} {Detail}"),
        SoakEnd.ErrorEvent => $"200 stream, error event {Detail}",
        SoakEnd.Truncated => "200 stream, truncated (no message_stop, no error event)",
        _ => "unclean: " + Detail,
    };
}

/// <summary>Sends the soak's requests to the gateway and classifies what comes back, reading every stream to its end.</summary>
internal sealed class SoakClient(HttpClient http, string apiKey)
{
    private static readonly byte[] Prompt = Encoding.UTF8.GetBytes("Write one short line about keeping within a rate limit.");

    public async Task<SoakOutcome> SendAsync(long number, bool stream, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/messages") { Content = new ByteArrayContent(Body(stream)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("x-api-key", apiKey);
        request.Headers.Add("anthropic-version", "2023-06-01");
        request.Headers.Add("x-pacer-user", "soak-" + (number % 20).ToString(CultureInfo.InvariantCulture));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            var requestId = response.Headers.TryGetValues("request-id", out var ids) ? ids.FirstOrDefault() : null;
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (status == 200 && stream && mediaType == "text/event-stream")
            {
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                return await ReadStreamAsync(body, requestId, cancellationToken);
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            return Classify(status, stream, bytes, requestId);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new SoakOutcome(SoakEnd.Unclean, stream, 0, e.GetType().Name + ": " + e.Message, null, null);
        }
    }

    /// <summary>A non-stream answer (or a stream refused before it began): a JSON message on 200, Anthropic's error JSON otherwise.</summary>
    internal static SoakOutcome Classify(int status, bool stream, byte[] bytes, string? requestId)
    {
        try
        {
            using var json = JsonDocument.Parse(bytes);
            var root = json.RootElement;
            var type = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (status == 200 && type == "message" && root.TryGetProperty("usage", out var usage) && usage.TryGetProperty("output_tokens", out var output))
            {
                return new SoakOutcome(SoakEnd.Success, stream, status, "message", requestId, output.GetInt64());
            }

            if (status >= 400 && type == "error" && ErrorType(root) is { } errorType)
            {
                return new SoakOutcome(SoakEnd.ErrorStatus, stream, status, errorType, requestId, null);
            }

            return new SoakOutcome(SoakEnd.Unclean, stream, status, string.Create(CultureInfo.InvariantCulture, $"{status} with a body that is neither a message nor an Anthropic error"), requestId, null);
        }
        catch (JsonException)
        {
            return new SoakOutcome(SoakEnd.Unclean, stream, status, string.Create(CultureInfo.InvariantCulture, $"{status} with a body that is not JSON"), requestId, null);
        }
    }

    /// <summary>Reads server-sent events to the end: whole with <c>message_stop</c> last, an error with an <c>error</c> event, truncated otherwise.</summary>
    internal static async Task<SoakOutcome> ReadStreamAsync(Stream body, string? requestId, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        string? eventName = null;
        var data = new StringBuilder();
        string? last = null;
        string? errorType = null;
        long? outputTokens = null;
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length > 0)
            {
                if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    eventName = line[6..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(line.AsSpan(5).TrimStart());
                }

                continue;
            }

            if (eventName is null && data.Length == 0)
            {
                continue;
            }

            last = eventName;
            if (eventName == "error")
            {
                errorType = ErrorTypeOf(data.ToString()) ?? "(no type)";
            }
            else if (eventName == "message_delta" && OutputTokensOf(data.ToString()) is { } tokens)
            {
                outputTokens = tokens;
            }

            eventName = null;
            data.Clear();
        }

        return last switch
        {
            "message_stop" when errorType is null => new SoakOutcome(SoakEnd.Success, true, 200, "message_stop", requestId, outputTokens),
            "error" => new SoakOutcome(SoakEnd.ErrorEvent, true, 200, errorType!, requestId, null),
            _ => new SoakOutcome(SoakEnd.Truncated, true, 200, "last event " + (last ?? "none"), requestId, outputTokens),
        };
    }

    private static string? ErrorType(JsonElement root) =>
        root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object && error.TryGetProperty("type", out var type) && type.GetString() is { Length: > 0 } name
            ? name
            : null;

    private static string? ErrorTypeOf(string data)
    {
        try
        {
            using var json = JsonDocument.Parse(data);
            return ErrorType(json.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static long? OutputTokensOf(string data)
    {
        try
        {
            using var json = JsonDocument.Parse(data);
            return json.RootElement.TryGetProperty("usage", out var usage) && usage.TryGetProperty("output_tokens", out var output) ? output.GetInt64() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static byte[] Body(bool stream)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model", "claude-sonnet-4-5");
            json.WriteNumber("max_tokens", 200);
            json.WriteBoolean("stream", stream);
            json.WriteStartArray("messages");
            json.WriteStartObject();
            json.WriteString("role", "user");
            json.WriteString("content", Prompt);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
