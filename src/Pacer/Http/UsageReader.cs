using System.Text.Json;

namespace Pacer.Http;

/// <summary>
/// Reads <c>usage</c> from a Messages response body, a <c>message_delta</c> event (both: a top-level <c>usage</c>) or a
/// <c>message_start</c> event (<c>message.usage</c>). Other objects named <c>usage</c> (inside tool inputs, say) are ignored.
/// </summary>
internal static class UsageReader
{
    /// <summary>Merges the usage found in <paramref name="json"/> into <paramref name="usage"/>; false when there is none or the JSON is invalid.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, ref UsageAccumulator usage)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            return reader.Read() && reader.TokenType == JsonTokenType.StartObject && ReadObject(ref reader, ref usage, allowMessage: true);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool ReadObject(ref Utf8JsonReader reader, ref UsageAccumulator usage, bool allowMessage)
    {
        var found = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isUsage = reader.ValueTextEquals("usage"u8);
            var isMessage = allowMessage && reader.ValueTextEquals("message"u8);
            reader.Read();
            if (isUsage && reader.TokenType == JsonTokenType.StartObject)
            {
                ReadUsage(ref reader, ref usage);
                found = true;
            }
            else if (isMessage && reader.TokenType == JsonTokenType.StartObject)
            {
                found |= ReadObject(ref reader, ref usage, allowMessage: false);
            }
            else
            {
                reader.Skip();
            }
        }

        return found;
    }

    private static void ReadUsage(ref Utf8JsonReader reader, ref UsageAccumulator usage)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var field = reader.ValueTextEquals("input_tokens"u8) ? 1
                : reader.ValueTextEquals("output_tokens"u8) ? 2
                : reader.ValueTextEquals("cache_creation_input_tokens"u8) ? 3
                : reader.ValueTextEquals("cache_read_input_tokens"u8) ? 4
                : 0;
            reader.Read();
            if (field == 0 || !JsonPaths.TryGetClampedInt(ref reader, out var value))
            {
                // Nested breakdowns (cache_creation, server_tool_use) and nulls are skipped.
                reader.Skip();
                continue;
            }

            switch (field)
            {
                case 1: usage.InputTokens = value; break;
                case 2: usage.OutputTokens = value; break;
                case 3: usage.CacheCreationInputTokens = value; break;
                default: usage.CacheReadInputTokens = value; break;
            }
        }
    }
}
