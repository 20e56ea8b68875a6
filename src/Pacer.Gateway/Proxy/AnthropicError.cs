using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pacer.Configuration;

namespace Pacer.Gateway.Proxy;

/// <summary>
/// An error answered by the gateway itself, in Anthropic's shape:
/// <c>{"type":"error","error":{"type":"...","message":"..."},"request_id":"req_..."}</c>. Admin answers add the seed's
/// <c>"success": false</c> and, for a refused update, <c>errors</c>: every invalid field with its allowed range.
/// </summary>
internal sealed class AnthropicError : IResult
{
    // Messages quote names ('user'); a JSON API body needs no HTML escaping, and readers deserve plain quotes.
    private static readonly JsonWriterOptions Writing = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public AnthropicError(int statusCode, string type, string message)
    {
        StatusCode = statusCode;
        Type = type;
        Message = message;
    }

    public int StatusCode { get; }

    public string Type { get; }

    public string Message { get; }

    /// <summary>Gets the wait a caller should observe before retrying; sent as <c>retry-after</c> (seconds, rounded up) and <c>retry-after-ms</c>.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Gets a value indicating whether the body carries the admin API's <c>"success": false</c>.</summary>
    public bool Admin { get; init; }

    /// <summary>Gets the invalid fields of a refused settings update.</summary>
    public IReadOnlyList<SettingError>? Errors { get; init; }

    /// <summary>Gets a value indicating whether each field's <c>allowed</c> range is the extended one (<c>PACER_EXTENDED_RANGES=true</c>).</summary>
    public bool ExtendedRanges { get; init; }

    public static AnthropicError InvalidRequest(string message) => new(StatusCodes.Status400BadRequest, "invalid_request_error", message);

    public static AnthropicError Authentication(string message) => new(StatusCodes.Status401Unauthorized, "authentication_error", message);

    public static string NewRequestId() => "req_pacer_" + Guid.NewGuid().ToString("N");

    /// <summary>Writes the error event that ends a stream the gateway could not finish: <c>event: error</c>, Anthropic's mid-stream shape.</summary>
    public static byte[] StreamEvent(string type, string message)
    {
        using var buffer = new MemoryStream();
        buffer.Write("event: error\ndata: "u8);
        using (var writer = new Utf8JsonWriter(buffer, Writing))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "error");
            writer.WriteStartObject("error");
            writer.WriteString("type", type);
            writer.WriteString("message", message);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
        return buffer.ToArray();
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var requestId = NewRequestId();
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = "application/json";
        response.Headers["request-id"] = requestId;
        if (RetryAfter is { } wait)
        {
            var seconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            response.Headers["retry-after-ms"] = Math.Max(0, (long)Math.Ceiling(wait.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        }

        await using var writer = new Utf8JsonWriter(response.Body, Writing);
        writer.WriteStartObject();
        if (Admin)
        {
            writer.WriteBoolean("success", false);
        }

        writer.WriteString("type", "error");
        writer.WriteStartObject("error");
        writer.WriteString("type", Type);
        writer.WriteString("message", Message);
        writer.WriteEndObject();
        if (Errors is { Count: > 0 } errors)
        {
            writer.WriteStartArray("errors");
            foreach (var error in errors)
            {
                writer.WriteStartObject();
                writer.WriteString("field", error.Field);
                writer.WriteString("value", error.Value);
                writer.WriteString("message", error.ToString());
                if (FindSetting(error.Field) is { } setting)
                {
                    writer.WriteString("allowed", setting.RangeTextUnder(ExtendedRanges));
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteString("request_id", requestId);
        writer.WriteEndObject();
        await writer.FlushAsync(httpContext.RequestAborted).ConfigureAwait(false);
    }

    private static PacerSetting? FindSetting(string field) =>
        PacerSettings.All.FirstOrDefault(s => string.Equals(s.JsonName, field, StringComparison.Ordinal));
}
