using System.Net;
using System.Text;

namespace Pacer.Tests.Support;

/// <summary>Builds upstream responses as the Anthropic API shapes them.</summary>
internal static class Responses
{
    public const string RateLimitBody = """{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"},"request_id":"req_429"}""";

    public const string SpendLimitBody = """{"type":"error","error":{"type":"rate_limit_error","message":"You have reached your monthly spend limit","details":{"error_code":"enforced_spend_limit_reached"}},"request_id":"req_cap"}""";

    public static HttpResponseMessage Json(int status, string body, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    public static HttpResponseMessage Error(int status, string type = "api_error", params (string Name, string Value)[] headers) =>
        Json(status, $$"""{"type":"error","error":{"type":"{{type}}","message":"status {{status}}"},"request_id":"req_{{status}}"}""", headers);

    public static HttpResponseMessage RateLimited(string? retryAfter = null, params (string Name, string Value)[] headers) =>
        Json(429, RateLimitBody, retryAfter is null ? headers : [.. headers, ("retry-after", retryAfter)]);

    public static string Message(int inputTokens, int outputTokens, string model = "claude-sonnet-4-5") =>
        $$$"""{"id":"msg_01","type":"message","role":"assistant","model":"{{{model}}}","content":[{"type":"text","text":"Hello"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":{{{inputTokens}}},"output_tokens":{{{outputTokens}}},"cache_creation_input_tokens":0,"cache_read_input_tokens":0}}""";
}
