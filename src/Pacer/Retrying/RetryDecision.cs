namespace Pacer.Retrying;

/// <summary>The classification of one attempt's outcome: retry it or hand it to the caller, and why.</summary>
/// <param name="ShouldRetry">Whether another attempt may succeed.</param>
/// <param name="Reason">Why.</param>
internal readonly record struct RetryDecision(bool ShouldRetry, RetryReason Reason)
{
    public static RetryDecision Retry(RetryReason reason) => new(true, reason);

    public static RetryDecision Final(RetryReason reason) => new(false, reason);
}
