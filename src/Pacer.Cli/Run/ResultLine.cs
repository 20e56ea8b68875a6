using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Pacer.Limiting;

namespace Pacer.Cli.Run;

/// <summary>
/// Builds result lines in the Message Batches results format:
/// <c>{"custom_id":"...","result":{"type":"succeeded","message":{...}}}</c> or
/// <c>{"custom_id":"...","result":{"type":"errored","error":{"type":"error","error":{"type":"...","message":"..."}}}}</c>.
/// </summary>
internal static class ResultLine
{
    public const string Succeeded = "succeeded";
    public const string Errored = "errored";

    /// <summary>A success: the message exactly as the API returned it.</summary>
    public static byte[] Success(string customId, JsonElement message) =>
        Write(customId, Succeeded, writer =>
        {
            writer.WritePropertyName("message");
            message.WriteTo(writer);
        });

    /// <summary>An error with Anthropic's error object (<c>type</c>, <c>message</c>, and whatever else the API put in it).</summary>
    public static byte[] Error(string customId, JsonElement error) =>
        Write(customId, Errored, writer =>
        {
            writer.WriteStartObject("error");
            writer.WriteString("type", "error");
            writer.WritePropertyName("error");
            error.WriteTo(writer);
            writer.WriteEndObject();
        });

    /// <summary>An error Pacer describes itself (no error object from the API).</summary>
    public static byte[] Error(string customId, string type, string message)
    {
        using var document = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["type"] = type, ["message"] = message }));
        return Error(customId, document.RootElement);
    }

    /// <summary>Anthropic's error type for an HTTP status whose body named none.</summary>
    public static string ErrorTypeOf(int status) => status switch
    {
        400 => "invalid_request_error",
        401 => "authentication_error",
        402 => "billing_error",
        403 => "permission_error",
        404 => "not_found_error",
        413 => "request_too_large",
        429 => "rate_limit_error",
        504 => "timeout_error",
        529 => "overloaded_error",
        _ => "api_error",
    };

    /// <summary>The result line for a response: its message, its error object, or an error describing a body that was neither.</summary>
    public static (byte[] Line, string? ErrorType, JsonDocument? Message) FromResponse(string customId, int status, byte[] body)
    {
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
        }

        var root = document?.RootElement;
        if (status is >= 200 and < 300 && root is { ValueKind: JsonValueKind.Object } message && message.TryGetProperty("type", out var type) && type.ValueEquals("message"))
        {
            return (Success(customId, message), null, document);
        }

        try
        {
            if (root is { ValueKind: JsonValueKind.Object } error && error.TryGetProperty("error", out var inner) && inner.ValueKind == JsonValueKind.Object)
            {
                var named = inner.TryGetProperty("type", out var kind) && kind.ValueKind == JsonValueKind.String ? kind.GetString() : null;
                return (Error(customId, inner), named ?? ErrorTypeOf(status), null);
            }

            var text = Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300)));
            var what = status is >= 200 and < 300 ? $"status {status} with a body that is not a message" : $"status {status}";
            return (Error(customId, ErrorTypeOf(status), $"The API answered {what}: {text}"), ErrorTypeOf(status), null);
        }
        finally
        {
            document?.Dispose();
        }
    }

    /// <summary>The result line for a request the limiter can never admit (larger than a whole budget).</summary>
    public static byte[] FromRejection(string customId, PacerRejectedException rejected) =>
        Error(customId, "rate_limit_error", rejected.Message);

    private static byte[] Write(string customId, string type, Action<Utf8JsonWriter> result)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("custom_id", customId);
            writer.WriteStartObject("result");
            writer.WriteString("type", type);
            result(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
