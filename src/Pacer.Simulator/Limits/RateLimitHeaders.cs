using System.Globalization;

namespace Pacer.Simulator.Limits;

/// <summary>
/// Writes the <c>anthropic-ratelimit-*</c> headers: for requests, input tokens, output tokens, and the most restrictive
/// combination of tokens (input + output). Token "remaining" values are rounded to the nearest multiple of the
/// configured rounding, as the real API rounds them to thousands (exact when the limit is below the rounding); resets are RFC 3339 UTC, rounded up to the second.
/// </summary>
internal static class RateLimitHeaders
{
    public static void Write(IHeaderDictionary headers, LimitReading reading, int rounding)
    {
        Write(headers, "requests", reading.Requests.Limit, reading.Requests.Remaining, reading.Requests.Reset);
        Write(headers, "input-tokens", reading.InputTokens.Limit, Round(reading.InputTokens, rounding), reading.InputTokens.Reset);
        Write(headers, "output-tokens", reading.OutputTokens.Limit, Round(reading.OutputTokens, rounding), reading.OutputTokens.Reset);

        var tokensLimit = reading.InputTokens.Limit + reading.OutputTokens.Limit;
        var tokensRemaining = Round(new BucketReading(tokensLimit, reading.InputTokens.Remaining + reading.OutputTokens.Remaining, default), rounding);
        var tokensReset = reading.InputTokens.Reset > reading.OutputTokens.Reset ? reading.InputTokens.Reset : reading.OutputTokens.Reset;
        Write(headers, "tokens", tokensLimit, tokensRemaining, tokensReset);
    }

    /// <summary>An instant as the reset headers carry it: RFC 3339 UTC, whole seconds, rounded up.</summary>
    public static string FormatReset(DateTimeOffset reset)
    {
        var ticks = reset.UtcTicks;
        var remainder = ticks % TimeSpan.TicksPerSecond;
        var rounded = remainder == 0 ? ticks : ticks - remainder + TimeSpan.TicksPerSecond;
        return new DateTimeOffset(rounded, TimeSpan.Zero).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    internal static long Round(long value, int rounding) =>
        rounding <= 1 ? value : (long)Math.Round(value / (double)rounding, MidpointRounding.AwayFromZero) * rounding;

    /// <summary>Rounds a token remainder, never above the limit; a limit below the rounding shows exact values (else a full bucket could read 0).</summary>
    private static long Round(BucketReading reading, int rounding) =>
        reading.Limit < rounding ? reading.Remaining : Math.Min(reading.Limit, Round(reading.Remaining, rounding));

    private static void Write(IHeaderDictionary headers, string name, long limit, long remaining, DateTimeOffset reset)
    {
        headers[$"anthropic-ratelimit-{name}-limit"] = limit.ToString(CultureInfo.InvariantCulture);
        headers[$"anthropic-ratelimit-{name}-remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        headers[$"anthropic-ratelimit-{name}-reset"] = FormatReset(reset);
    }
}
