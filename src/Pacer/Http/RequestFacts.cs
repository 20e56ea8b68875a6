using System.Text.Json;

namespace Pacer.Http;

/// <summary>What Pacer needs from a Messages request body: <c>model</c>, <c>max_tokens</c>, <c>stream</c>, <c>metadata.user_id</c>.</summary>
/// <param name="Model">The model, or empty when absent.</param>
/// <param name="MaxTokens">The output reservation, or 0 when absent.</param>
/// <param name="Stream">Whether a stream was asked for.</param>
/// <param name="UserId">The <c>metadata.user_id</c>, if any.</param>
internal readonly record struct RequestFacts(string Model, int MaxTokens, bool Stream, string? UserId)
{
    public static readonly RequestFacts None = new(string.Empty, 0, false, null);

    /// <summary>Reads the four fields in one forward pass, skipping everything else; a body that is not a JSON object gives <see cref="None"/>.</summary>
    public static RequestFacts Read(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return None;
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return None;
            }

            string model = string.Empty;
            var maxTokens = 0;
            var stream = false;
            string? userId = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("model"u8))
                {
                    reader.Read();
                    model = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? string.Empty : string.Empty;
                }
                else if (reader.ValueTextEquals("max_tokens"u8))
                {
                    reader.Read();
                    _ = JsonPaths.TryGetClampedInt(ref reader, out maxTokens);
                }
                else if (reader.ValueTextEquals("stream"u8))
                {
                    reader.Read();
                    stream = reader.TokenType == JsonTokenType.True;
                }
                else if (reader.ValueTextEquals("metadata"u8))
                {
                    reader.Read();
                    userId = ReadUserId(ref reader) ?? userId;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return new RequestFacts(model, maxTokens, stream, userId);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // The upstream will answer 400 for a malformed body (or a string that is not UTF-8, or an unpaired surrogate
            // escape, which GetString refuses); Pacer still paces it as a plain request.
            return None;
        }
    }

    private static string? ReadUserId(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        string? userId = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isUserId = reader.ValueTextEquals("user_id"u8);
            reader.Read();
            if (isUserId && reader.TokenType == JsonTokenType.String)
            {
                userId = reader.GetString();
            }
            else
            {
                reader.Skip();
            }
        }

        return string.IsNullOrEmpty(userId) ? null : userId;
    }
}
