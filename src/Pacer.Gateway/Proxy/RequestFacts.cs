using System.Text.Json;

namespace Pacer.Gateway.Proxy;

/// <summary>What the gateway reads from a request body: the model, whether a stream is asked for, and <c>metadata.user_id</c>.</summary>
/// <param name="Model">The <c>model</c> field, or an empty string.</param>
/// <param name="Stream">The <c>stream</c> field.</param>
/// <param name="MetadataUser">The <c>metadata.user_id</c> field, or null.</param>
internal sealed record RequestFacts(string Model, bool Stream, string? MetadataUser)
{
    public static readonly RequestFacts None = new(string.Empty, false, null);

    /// <summary>Reads the facts from a JSON body; a body that is not a JSON object gives <see cref="None"/> (the upstream judges it).</summary>
    public static RequestFacts Read(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return None;
        }

        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return None;
            }

            var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : string.Empty;
            var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
            string? user = null;
            if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                && metadata.TryGetProperty("user_id", out var id) && id.ValueKind == JsonValueKind.String)
            {
                user = id.GetString();
            }

            return new RequestFacts(model, stream, string.IsNullOrWhiteSpace(user) ? null : user);
        }
        catch (JsonException)
        {
            return None;
        }
    }
}
