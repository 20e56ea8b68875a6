using System.Net;
using System.Text;
using System.Text.Json;

namespace Pacer.Gateway.Tests.Fuzz;

/// <summary>What every answer to a fuzzed input must be: never a 5xx, and a refusal is a 4xx in Anthropic's error shape that says what is wrong.</summary>
internal static class FuzzAnswer
{
    private static readonly AsyncLocal<ServerRefusals?> Current = new();

    /// <summary>
    /// Starts counting, for the calling test, Kestrel's own protocol refusals (an empty 400, 414 or 431 for a NUL or
    /// control character in the path or a header, a request line over 8 KiB, headers over 32 KiB): the server sends them
    /// before any of the gateway's code runs, so they cannot carry Anthropic's shape.
    /// </summary>
    public static ServerRefusals CountServerRefusals() => Current.Value = new ServerRefusals();

    /// <summary>Sends <paramref name="request"/> and checks the answer; returns its status and body.</summary>
    public static (HttpStatusCode Status, string Body) Send(HttpClient client, HttpRequestMessage request, string input, bool admin)
    {
        using var response = Task.Run(() => client.SendAsync(request)).GetAwaiter().GetResult();
        var body = Task.Run(() => response.Content.ReadAsStringAsync()).GetAwaiter().GetResult();
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            throw new FuzzFailure($"{status} for {Show(input)}: {body}");
        }

        if (IsServerRefusal(response, body))
        {
            Current.Value?.Add($"{status} for {Show(input)}");
        }
        else if (status >= 400)
        {
            ShouldBeRefusal(status, body, response.Headers.Contains("request-id"), input, admin);
        }

        return (response.StatusCode, body);
    }

    private static bool IsServerRefusal(HttpResponseMessage response, string body) =>
        (int)response.StatusCode is 400 or 414 or 431 && body.Length == 0 && !response.Headers.Contains("request-id");

    /// <summary>A short, printable form of an input for failure messages (long runs are shortened, controls escaped).</summary>
    public static string Show(string input)
    {
        var text = input.Length > 300 ? $"{input[..300]}... ({input.Length} chars)" : input;
        var shown = new StringBuilder();
        foreach (var c in text)
        {
            shown.Append(char.IsControl(c) || char.IsSurrogate(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return "«" + shown + "»";
    }

    public static string Show(byte[] input) => Show(Encoding.UTF8.GetString(input)) + (Encoding.UTF8.GetByteCount(Encoding.UTF8.GetString(input)) == input.Length ? string.Empty : " (invalid UTF-8)");

    private static void ShouldBeRefusal(int status, string body, bool hasRequestId, string input, bool admin)
    {
        JsonDocument json;
        try
        {
            json = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            throw new FuzzFailure($"{status} without Anthropic's error shape for {Show(input)}: {Show(body)}");
        }

        using (json)
        {
            var root = json.RootElement;
            var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
            var shaped = root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "error"
                && error.ValueKind == JsonValueKind.Object
                && error.TryGetProperty("type", out var kind) && kind.ValueKind == JsonValueKind.String && kind.GetString()!.Length > 0
                && root.TryGetProperty("request_id", out var id) && id.ValueKind == JsonValueKind.String;
            if (!shaped || !hasRequestId)
            {
                throw new FuzzFailure($"{status} not in Anthropic's error shape (with a request-id header) for {Show(input)}: {Show(body)}");
            }

            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : string.Empty;
            if (message.Length < 12 || message.Contains("Exception", StringComparison.Ordinal) || message.Contains("failed to handle", StringComparison.Ordinal))
            {
                throw new FuzzFailure($"{status} whose message does not say what is wrong for {Show(input)}: {Show(message)}");
            }

            if (admin && !(root.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.False))
            {
                throw new FuzzFailure($"admin {status} without \"success\": false for {Show(input)}: {Show(body)}");
            }

            if (root.TryGetProperty("errors", out var errors))
            {
                foreach (var field in errors.EnumerateArray())
                {
                    var name = field.GetProperty("field").GetString()!;
                    if (!message.Contains(name.Length == 0 ? "an empty name" : name, StringComparison.Ordinal))
                    {
                        throw new FuzzFailure($"{status} lists field '{name}' that its message does not name, for {Show(input)}: {Show(message)}");
                    }
                }
            }
        }
    }
}

/// <summary>How many inputs Kestrel refused before the gateway saw them, and the last one.</summary>
internal sealed class ServerRefusals
{
    public int Count { get; private set; }

    public string? Last { get; private set; }

    public void Add(string input)
    {
        Count++;
        Last = input;
    }
}

/// <summary>A fuzz property that does not hold; the message names the input.</summary>
internal sealed class FuzzFailure(string message) : Exception(message);
