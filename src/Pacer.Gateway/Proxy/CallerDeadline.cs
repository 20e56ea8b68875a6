using System.Globalization;
using Microsoft.Extensions.Primitives;
using Pacer.Http;

namespace Pacer.Gateway.Proxy;

/// <summary>
/// The caller's deadline, from <c>x-pacer-deadline-ms</c> (milliseconds of budget from the request's arrival, refused
/// when malformed) and from the timeout the official SDKs announce (<c>x-stainless-timeout</c>, seconds, ignored when
/// malformed since no person chose it); with both, the earlier wins. The engine gives up a margin before it, and the
/// gateway answers that as a 504 <c>timeout_error</c> the SDKs do not retry.
/// </summary>
internal static class CallerDeadline
{
    public const string Header = "x-pacer-deadline-ms";
    public const string SdkTimeoutHeader = "x-stainless-timeout";
    public const string SdkReadTimeoutHeader = "x-stainless-read-timeout";

    /// <summary>The longest budget either header may give: 24 hours.</summary>
    public const long MaxMilliseconds = 86_400_000;

    /// <summary>Reads the deadline of a request that arrived at <paramref name="arrival"/>; an error when <c>x-pacer-deadline-ms</c> is malformed.</summary>
    public static AnthropicError? Read(IHeaderDictionary headers, DateTimeOffset arrival, out DateTimeOffset? deadline)
    {
        ArgumentNullException.ThrowIfNull(headers);
        deadline = null;
        var sdk = SdkBudget(headers[SdkTimeoutHeader]) ?? SdkBudget(headers[SdkReadTimeoutHeader]);
        var explicitValues = headers[Header];
        long? given = null;
        if (explicitValues.Count > 0)
        {
            if (explicitValues.Count > 1
                || !long.TryParse(explicitValues[0]?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
                || milliseconds is < 1 or > MaxMilliseconds)
            {
                return AnthropicError.InvalidRequest(
                    $"The {Header} header must be one whole number of milliseconds from 1 to {MaxMilliseconds}: the request's budget from its arrival at the gateway.");
            }

            given = milliseconds;
        }

        var budget = (given, sdk) switch
        {
            ({ } a, { } b) => Math.Min(a, b),
            ({ } a, null) => a,
            (null, { } b) => b,
            _ => (long?)null,
        };
        deadline = budget is { } ms ? arrival.AddMilliseconds(ms) : null;
        return null;
    }

    /// <summary>Gives the engine the deadline, if there is one.</summary>
    public static void Attach(HttpRequestMessage outgoing, DateTimeOffset? deadline)
    {
        ArgumentNullException.ThrowIfNull(outgoing);
        if (deadline is { } until)
        {
            outgoing.Options.Set(PacerRequestOptions.Deadline, until);
        }
    }

    /// <summary>
    /// The 504 <c>timeout_error</c> for a request given up before its deadline, with <c>x-should-retry: false</c>: the
    /// gateway already spent the caller's budget on its own retries, so an SDK retry would only repeat the wait.
    /// </summary>
    public static AnthropicError Answer(HttpContext context, PacerDeadlineExceededException late)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(late);
        context.Response.Headers["x-should-retry"] = "false";
        return new AnthropicError(StatusCodes.Status504GatewayTimeout, "timeout_error", late.Message);
    }

    // TypeScript sends whole seconds, Python a float ("600.0"), C# TimeSpan.TotalSeconds in the process's culture ("1,5").
    private static long? SdkBudget(StringValues values)
    {
        if (values.Count != 1 || values[0] is not { Length: > 0 and <= 32 } text)
        {
            return null;
        }

        text = text.Trim().Replace(',', '.');
        return decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            && seconds > 0 && seconds <= MaxMilliseconds / 1000m
            ? (long)Math.Ceiling(seconds * 1000)
            : null;
    }
}
