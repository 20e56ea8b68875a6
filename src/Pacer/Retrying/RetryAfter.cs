using System.Globalization;
using System.Net.Http.Headers;

namespace Pacer.Retrying;

/// <summary>
/// Reads how long the upstream asks us to wait: <c>retry-after-ms</c> (milliseconds), else <c>retry-after</c>
/// (seconds, whole or fractional, or an HTTP date). The rules for odd values:
/// <list type="bullet">
/// <item>absent, empty, garbage, NaN or negative: ignored, as if absent (the backoff schedule applies);</item>
/// <item>an HTTP date in the past (or now): zero, retry at once;</item>
/// <item>a value too large for <see cref="TimeSpan"/> (for example <c>1e300</c>): <see cref="TimeSpan.MaxValue"/>; the retry
/// policy treats anything longer than <see cref="Longest"/> as "not soon" and hands the response back at once;</item>
/// <item>a <c>retry-after-ms</c> that is ignored falls back to <c>retry-after</c>.</item>
/// </list>
/// </summary>
internal static class RetryAfter
{
    /// <summary>The millisecond header that the official SDKs honour first.</summary>
    public const string MillisecondsHeader = "retry-after-ms";

    /// <summary>The standard header: seconds or an HTTP date.</summary>
    public const string SecondsHeader = "retry-after";

    /// <summary>The longest wait worth spending inside one HTTP call; a longer retry-after is not waited for.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromHours(1);

    /// <summary>Reads the wait from a response's headers, relative to <paramref name="now"/>; null when none is usable.</summary>
    public static TimeSpan? From(HttpResponseHeaders headers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (First(headers, MillisecondsHeader) is { } milliseconds && ParseMilliseconds(milliseconds) is { } fromMilliseconds)
        {
            return fromMilliseconds;
        }

        return First(headers, SecondsHeader) is { } seconds ? ParseSeconds(seconds, now) : null;
    }

    /// <summary>Parses a <c>retry-after-ms</c> value: a non-negative number of milliseconds, fractions allowed.</summary>
    public static TimeSpan? ParseMilliseconds(string value) =>
        ParseNumber(value) is { } number ? FromUnits(number, TimeSpan.TicksPerMillisecond) : null;

    /// <summary>Parses a <c>retry-after</c> value: non-negative seconds (fractions allowed) or an HTTP date relative to <paramref name="now"/>.</summary>
    public static TimeSpan? ParseSeconds(string value, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (ParseNumber(value) is { } number)
        {
            return FromUnits(number, TimeSpan.TicksPerSecond);
        }

        // A value that starts like a number but did not parse (for example "-5" or "1.2.3") is garbage, not a date.
        var trimmed = value.Trim();
        if (trimmed.Length == 0 || char.IsAsciiDigit(trimmed[0]) || trimmed[0] is '-' or '+' or '.')
        {
            return null;
        }

        if (!RetryConditionHeaderValue.TryParse(trimmed, out var condition) || condition.Date is not { } date)
        {
            return null;
        }

        var wait = date - now;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    private static double? ParseNumber(string value)
    {
        // Plain decimal notation only (no thousands separators, no hex); NaN, infinities and negatives are not waits.
        if (!double.TryParse(value.AsSpan().Trim(), NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return null;
        }

        return double.IsFinite(number) && number >= 0 ? number : (double.IsPositiveInfinity(number) ? double.MaxValue : null);
    }

    private static TimeSpan FromUnits(double units, long ticksPerUnit)
    {
        var ticks = units * ticksPerUnit;
        return ticks >= TimeSpan.MaxValue.Ticks ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)Math.Round(ticks));
    }

    private static string? First(HttpResponseHeaders headers, string name)
    {
        if (!headers.TryGetValues(name, out var values))
        {
            return null;
        }

        foreach (var value in values)
        {
            return value;
        }

        return null;
    }
}
