using System.Net.Http.Headers;
using Pacer.Configuration;

namespace Pacer.Retrying;

/// <summary>
/// Chooses the wait before a retry: the upstream's retry-after when it gives one (exactly, not capped, since an earlier
/// retry would fail), else <c>min(MaxDelay, BaseDelay × BackoffFactor^n)</c> with ±25% jitter, capped at <c>MaxDelay</c>.
/// </summary>
internal sealed class BackoffSchedule
{
    /// <summary>The jitter spread: the backoff delay is scaled by a factor drawn uniformly from [0.75, 1.25).</summary>
    public const double JitterRatio = 0.25;

    private readonly Func<double> _random;

    /// <summary>Creates a schedule drawing jitter from <paramref name="random"/>, which returns values in [0, 1).</summary>
    public BackoffSchedule(Func<double> random)
    {
        ArgumentNullException.ThrowIfNull(random);
        _random = random;
    }

    /// <summary>The wait before retry number <paramref name="retryIndex"/> (0 for the first retry).</summary>
    public RetryDelay Next(HttpResponseHeaders? headers, int retryIndex, PacerOptions options, DateTimeOffset now)
    {
        if (headers is not null && RetryAfter.From(headers, now) is { } retryAfter)
        {
            return new RetryDelay(retryAfter, RetryDelaySource.RetryAfter);
        }

        return new RetryDelay(Backoff(retryIndex, options), RetryDelaySource.Backoff);
    }

    /// <summary>The jittered exponential backoff for retry number <paramref name="retryIndex"/>, in whole milliseconds.</summary>
    public TimeSpan Backoff(int retryIndex, PacerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(retryIndex);
        var max = (double)options.MaxDelay;
        var exponential = Math.Min(max, options.BaseDelay * Math.Pow(options.BackoffFactor, retryIndex));
        var draw = Math.Clamp(_random(), 0, 1);
        var jittered = exponential * (1 + (JitterRatio * ((2 * draw) - 1)));
        return TimeSpan.FromMilliseconds(Math.Round(Math.Min(max, jittered)));
    }
}
