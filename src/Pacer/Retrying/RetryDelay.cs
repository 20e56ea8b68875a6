namespace Pacer.Retrying;

/// <summary>How long to wait before the next attempt, and where that figure came from.</summary>
/// <param name="Delay">The wait.</param>
/// <param name="Source">Where it came from.</param>
internal readonly record struct RetryDelay(TimeSpan Delay, RetryDelaySource Source);

/// <summary>Where a retry delay came from.</summary>
internal enum RetryDelaySource
{
    /// <summary>The upstream's <c>retry-after-ms</c> or <c>retry-after</c> header.</summary>
    RetryAfter,

    /// <summary>The exponential backoff schedule with jitter.</summary>
    Backoff,
}
