using System.Text.Json;
using Pacer.Limiting;

namespace Pacer.Gateway.Proxy;

/// <summary>The token usage a response reports, gathered from a JSON body or from a stream's events (for the request log).</summary>
internal sealed class UsageTally
{
    private int _input;
    private int _output;
    private int _cacheCreation;
    private int _cacheRead;

    /// <summary>Gets the usage seen, or null when the response reported none.</summary>
    public TokenUsage? Usage => Seen ? new TokenUsage(_input, _output, _cacheCreation, _cacheRead) : null;

    private bool Seen { get; set; }

    /// <summary>Reads a <c>usage</c> object; fields it lacks keep their earlier values (a stream's <c>message_delta</c> reports output only).</summary>
    public void Read(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        Seen = true;
        Take(usage, "input_tokens", ref _input);
        Take(usage, "output_tokens", ref _output);
        Take(usage, "cache_creation_input_tokens", ref _cacheCreation);
        Take(usage, "cache_read_input_tokens", ref _cacheRead);
    }

    /// <summary>Reads <c>usage</c> from a whole JSON message body; ignores bodies that are not JSON.</summary>
    public void ReadMessageBody(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("usage", out var usage))
            {
                Read(usage);
            }
        }
        catch (JsonException)
        {
            // Not JSON (or cut): no usage to report.
        }
    }

    private static void Take(JsonElement usage, string name, ref int field)
    {
        if (usage.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            field = number;
        }
    }
}
