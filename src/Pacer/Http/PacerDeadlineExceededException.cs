namespace Pacer.Http;

/// <summary>
/// The request's deadline (<see cref="PacerRequestOptions.Deadline"/>) came near before an answer did: a queue wait, a
/// retry's backoff or an attempt would have ended after it, so Pacer gave up <see cref="Margin"/> before the deadline
/// rather than let the caller's own timeout fire. Never retried by Pacer; the gateway answers it as a 504
/// <c>timeout_error</c> with <c>x-should-retry: false</c>.
/// </summary>
public sealed class PacerDeadlineExceededException : TimeoutException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="deadline">The request's deadline.</param>
    /// <param name="margin">How long before the deadline Pacer gave up.</param>
    /// <param name="message">What was cut.</param>
    public PacerDeadlineExceededException(DateTimeOffset deadline, TimeSpan margin, string message)
        : base(message)
    {
        Deadline = deadline;
        Margin = margin;
    }

    /// <summary>Gets the request's deadline.</summary>
    public DateTimeOffset Deadline { get; }

    /// <summary>Gets how long before <see cref="Deadline"/> Pacer gave up: a tenth of the budget, at most one second.</summary>
    public TimeSpan Margin { get; }
}
