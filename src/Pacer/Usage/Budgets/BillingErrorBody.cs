using System.Text;
using System.Text.Json;

namespace Pacer.Usage;

/// <summary>
/// The answer to a request refused by a budget, in Anthropic's shape so SDKs understand it: status 402,
/// <c>{"type":"error","error":{"type":"billing_error","message":"..."},"request_id":"req_..."}</c>.
/// </summary>
public static class BillingErrorBody
{
    /// <summary>The HTTP status of a budget refusal.</summary>
    public const int StatusCode = 402;

    /// <summary>The Anthropic error type of a budget refusal.</summary>
    public const string ErrorType = "billing_error";

    /// <summary>Writes the body for <paramref name="exception"/>; <paramref name="requestId"/> is omitted when null.</summary>
    public static void Write(Utf8JsonWriter writer, BudgetExceededException exception, string? requestId)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(exception);
        writer.WriteStartObject();
        writer.WriteString("type", "error");
        writer.WriteStartObject("error");
        writer.WriteString("type", ErrorType);
        writer.WriteString("message", exception.Message);
        writer.WriteEndObject();
        if (requestId is not null)
        {
            writer.WriteString("request_id", requestId);
        }

        writer.WriteEndObject();
    }

    /// <summary>Returns the body for <paramref name="exception"/> as a JSON string.</summary>
    public static string ToJson(BudgetExceededException exception, string? requestId)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, exception, requestId);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
