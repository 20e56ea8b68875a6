namespace Pacer.Retrying;

/// <summary>No response headers arrived within <c>AttemptTimeout</c>; the attempt is abandoned and may be retried.</summary>
internal sealed class AttemptTimeoutException(TimeSpan timeout)
    : TimeoutException($"No response headers within the attempt timeout of {timeout.TotalMilliseconds:0} ms.")
{
    public TimeSpan Timeout { get; } = timeout;
}
