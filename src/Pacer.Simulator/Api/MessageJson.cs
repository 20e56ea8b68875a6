using System.Text.Json;
using Pacer.Simulator.Messages;

namespace Pacer.Simulator.Api;

/// <summary>Writes Messages API objects in the real API's shape.</summary>
internal static class MessageJson
{
    /// <summary>A Message; with <paramref name="text"/> null its content is empty (as in <c>message_start</c>).</summary>
    public static void WriteMessage(Utf8JsonWriter json, string id, string model, string? text, string? stopReason, string? stopSequence, InputUsage usage, long outputTokens)
    {
        json.WriteStartObject();
        json.WriteString("id", id);
        json.WriteString("type", "message");
        json.WriteString("role", "assistant");
        json.WriteString("model", model);
        json.WriteStartArray("content");
        if (text is not null)
        {
            WriteTextBlock(json, text);
        }

        json.WriteEndArray();
        WriteNullable(json, "stop_reason", stopReason);
        WriteNullable(json, "stop_sequence", stopSequence);
        json.WritePropertyName("usage");
        WriteUsage(json, usage, outputTokens);
        json.WriteEndObject();
    }

    public static void WriteTextBlock(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("type", "text");
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    public static void WriteUsage(Utf8JsonWriter json, InputUsage usage, long outputTokens)
    {
        json.WriteStartObject();
        json.WriteNumber("input_tokens", usage.Input);
        json.WriteNumber("cache_creation_input_tokens", usage.CacheCreation);
        json.WriteNumber("cache_read_input_tokens", usage.CacheRead);
        json.WriteStartObject("cache_creation");
        json.WriteNumber("ephemeral_5m_input_tokens", usage.CacheCreation5m);
        json.WriteNumber("ephemeral_1h_input_tokens", usage.CacheCreation1h);
        json.WriteEndObject();
        json.WriteNumber("output_tokens", outputTokens);
        json.WriteString("service_tier", "standard");
        json.WriteEndObject();
    }

    /// <summary>The cumulative usage of <c>message_delta</c>.</summary>
    public static void WriteDeltaUsage(Utf8JsonWriter json, InputUsage usage, long outputTokens)
    {
        json.WriteStartObject();
        json.WriteNumber("input_tokens", usage.Input);
        json.WriteNumber("cache_creation_input_tokens", usage.CacheCreation);
        json.WriteNumber("cache_read_input_tokens", usage.CacheRead);
        json.WriteNumber("output_tokens", outputTokens);
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
