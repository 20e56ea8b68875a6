using System.Globalization;
using Pacer.Simulator.Limits;

namespace Pacer.Simulator.Api;

/// <summary>The 429 messages, worded like the real API's, naming the limit that was hit.</summary>
internal static class RateLimitMessages
{
    private const string Tail =
        " For details, refer to: https://docs.claude.com/en/api/rate-limits. You can see the response headers for current usage."
        + " Please reduce the prompt length or the maximum tokens requested, or try again later.";

    public static string For(LimitDecision decision, string model)
    {
        var limit = decision.Limit.ToString("N0", CultureInfo.InvariantCulture);
        var what = decision.Exceeded switch
        {
            LimitKind.Requests => $"{limit} requests per minute",
            LimitKind.InputTokens => $"{limit} input tokens per minute",
            _ => $"{limit} output tokens per minute",
        };
        var never = decision.NeverFits
            ? $" This request alone ({decision.Asked.ToString("N0", CultureInfo.InvariantCulture)}) is larger than the limit allows at once."
            : "";
        return $"This request would exceed your organization's rate limit of {what} (model: {model}).{never}{Tail}";
    }

    public static string Injected(string model) =>
        $"This request would exceed your organization's rate limit (model: {model}).{Tail}";

    public static string Acceleration(string model) =>
        $"Your organization's usage of {model} is rising faster than its ramp limit allows. Increase traffic gradually and try again later.";

    public const string SpendCap =
        "You have reached your organization's monthly usage limit for the API. Access will resume at the start of next month.";

    public static string LimitName(LimitKind kind) => kind switch
    {
        LimitKind.Requests => "requests",
        LimitKind.InputTokens => "input_tokens",
        LimitKind.OutputTokens => "output_tokens",
        LimitKind.Acceleration => "acceleration",
        _ => "spend",
    };
}
