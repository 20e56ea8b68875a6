using System.Globalization;
using System.Net.Http.Headers;

namespace Pacer.Limiting;

/// <summary>The <c>anthropic-ratelimit-*</c> headers of one response, parsed.</summary>
/// <param name="Requests">The requests-per-minute budget.</param>
/// <param name="InputTokens">The input-tokens-per-minute budget (its remaining is rounded to the nearest thousand by the API).</param>
/// <param name="OutputTokens">The output-tokens-per-minute budget.</param>
public readonly record struct RateLimitObservation(BudgetObservation Requests, BudgetObservation InputTokens, BudgetObservation OutputTokens)
{
    private const string Prefix = "anthropic-ratelimit-";

    /// <summary>Gets a value indicating whether the response carried any budget.</summary>
    public bool IsEmpty => !Requests.IsKnown && !InputTokens.IsKnown && !OutputTokens.IsKnown;

    /// <summary>Reads the headers of a response; <paramref name="now"/> turns the RFC 3339 reset moments into durations.</summary>
    public static RateLimitObservation FromHeaders(HttpResponseHeaders headers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return FromHeaders(name => headers.NonValidated.TryGetValues(name, out var values) ? values.ToString() : null, now);
    }

    /// <summary>Reads the headers through <paramref name="header"/>, which returns a header's value or null.</summary>
    public static RateLimitObservation FromHeaders(Func<string, string?> header, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new(
            Read(header, "requests", now),
            Read(header, "input-tokens", now),
            Read(header, "output-tokens", now));
    }

    private static BudgetObservation Read(Func<string, string?> header, string budget, DateTimeOffset now)
    {
        var limit = Number(header(Prefix + budget + "-limit"));
        var remaining = Number(header(Prefix + budget + "-remaining"));
        if (limit is not > 0 || remaining is null)
        {
            return default;
        }

        TimeSpan? resetIn = null;
        if (header(Prefix + budget + "-reset") is { } text
            && DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var reset))
        {
            resetIn = reset > now ? reset - now : TimeSpan.Zero;
        }

        return new BudgetObservation(limit.Value, Math.Clamp(remaining.Value, 0, limit.Value), resetIn);
    }

    private static long? Number(string? text) =>
        long.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
