using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Pacer.Gateway.Tests.Support;

/// <summary>Requests in the Anthropic API's shape, and readers of its answers.</summary>
internal static class GatewayRequests
{
    public const string Model = "claude-sonnet-4-5";

    public static HttpRequestMessage Message(string apiKey = "sk-ant-test-key", bool stream = false, int maxTokens = 50, bool bearer = false, string? user = null)
    {
        var metadata = user is null ? string.Empty : $$""","metadata":{"user_id":"{{user}}"}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages")
        {
            Content = new StringContent(
                $$"""{"model":"{{Model}}","max_tokens":{{maxTokens}},"stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"Hello"}]{{metadata}}}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Add("anthropic-version", "2023-06-01");
        if (bearer)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }
        else
        {
            request.Headers.Add("x-api-key", apiKey);
        }

        return request;
    }

    /// <summary>A request to the admin API with the test's admin key and, when given, exactly these body bytes as JSON.</summary>
    public static HttpRequestMessage AdminRequest(HttpMethod method, string path, byte[]? body)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-API-Key", TestGateway.AdminKey);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        return request;
    }

    public static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : string.Empty;

    public static async Task<(string Type, string Message)> ErrorOf(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        json.RootElement.GetProperty("type").GetString().ShouldBe("error");
        var error = json.RootElement.GetProperty("error");
        return (error.GetProperty("type").GetString()!, error.GetProperty("message").GetString()!);
    }

    /// <summary>The event names of an SSE body, in order.</summary>
    public static List<string> EventNames(string sse) =>
        sse.Split('\n').Where(l => l.StartsWith("event: ", StringComparison.Ordinal)).Select(l => l["event: ".Length..].Trim()).ToList();
}
