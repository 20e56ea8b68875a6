using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Pacer.Limiting;

namespace Pacer.Http;

/// <summary>
/// Turns a <see cref="PacerRejectedException"/> into the error Anthropic's API would send, so that SDK clients back off
/// correctly: 429 <c>rate_limit_error</c> (529 <c>overloaded_error</c> when the limiter is shutting down) with
/// <c>retry-after</c> (whole seconds, rounded up), <c>retry-after-ms</c>, <c>x-should-retry</c> and the body
/// <c>{"type":"error","error":{"type":"...","message":"..."},"request_id":"req_..."}</c>.
/// </summary>
public static class RejectionResponse
{
    /// <summary>Builds the whole response.</summary>
    /// <param name="exception">The rejection.</param>
    /// <param name="requestId">The <c>request_id</c> to report; a new <c>req_</c> identifier when null.</param>
    public static HttpResponseMessage Create(PacerRejectedException exception, string? requestId = null)
    {
        ArgumentNullException.ThrowIfNull(exception);
        requestId ??= NewRequestId();
        var content = new ByteArrayContent(Body(exception, requestId));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var response = new HttpResponseMessage((System.Net.HttpStatusCode)StatusCode(exception)) { Content = content };
        response.Headers.TryAddWithoutValidation("retry-after", RetryAfterSeconds(exception.RetryAfter));
        response.Headers.TryAddWithoutValidation("retry-after-ms", RetryAfterMilliseconds(exception.RetryAfter));
        response.Headers.TryAddWithoutValidation("x-should-retry", ShouldRetry(exception) ? "true" : "false");
        response.Headers.TryAddWithoutValidation("request-id", requestId);
        return response;
    }

    /// <summary>The status: 529 when the limiter is shutting down, else 429.</summary>
    public static int StatusCode(PacerRejectedException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Reason == RejectionReason.ShuttingDown ? 529 : 429;
    }

    /// <summary>The Anthropic error type: <c>overloaded_error</c> when shutting down, else <c>rate_limit_error</c>.</summary>
    public static string ErrorType(PacerRejectedException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Reason == RejectionReason.ShuttingDown ? "overloaded_error" : "rate_limit_error";
    }

    /// <summary>Whether waiting can help: false only for a request larger than a whole budget.</summary>
    public static bool ShouldRetry(PacerRejectedException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Reason != RejectionReason.TooLarge;
    }

    /// <summary>The <c>retry-after</c> value: whole seconds, rounded up so that a client never comes back too early.</summary>
    public static string RetryAfterSeconds(TimeSpan retryAfter) =>
        ((long)Math.Ceiling(Math.Max(0, retryAfter.TotalSeconds))).ToString(CultureInfo.InvariantCulture);

    /// <summary>The <c>retry-after-ms</c> value: whole milliseconds, rounded up.</summary>
    public static string RetryAfterMilliseconds(TimeSpan retryAfter) =>
        ((long)Math.Ceiling(Math.Max(0, retryAfter.TotalMilliseconds))).ToString(CultureInfo.InvariantCulture);

    /// <summary>The UTF-8 JSON body in Anthropic's error shape.</summary>
    public static byte[] Body(PacerRejectedException exception, string requestId)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(requestId);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "error"u8);
            writer.WriteStartObject("error"u8);
            writer.WriteString("type"u8, ErrorType(exception));
            writer.WriteString("message"u8, exception.Message);
            writer.WriteEndObject();
            writer.WriteString("request_id"u8, requestId);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A new identifier in Anthropic's <c>req_</c> form.</summary>
    public static string NewRequestId() => "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
