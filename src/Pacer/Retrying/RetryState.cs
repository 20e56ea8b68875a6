using Pacer.Configuration;
using Polly;

namespace Pacer.Retrying;

/// <summary>
/// One request's retry bookkeeping: the settings read when it started (so a reconfiguration applies from the next
/// request on), its deadline, the lease of the attempt in progress, and what the last decision was.
/// </summary>
internal sealed class RetryState
{
    public RetryState(PacerOptions options, string endpoint, RequestDeadline? deadline)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Endpoint = endpoint ?? string.Empty;
        Deadline = deadline;
    }

    /// <summary>Gets the settings in force when the request started.</summary>
    public PacerOptions Options { get; }

    /// <summary>Gets the attempts allowed: 1 + <c>MaxRetries</c>.</summary>
    public int MaxAttempts => 1 + Options.MaxRetries;

    /// <summary>Gets the application endpoint, for logs.</summary>
    public string Endpoint { get; }

    /// <summary>Gets the request's deadline and the margin kept before it, if it has one.</summary>
    public RequestDeadline? Deadline { get; }

    /// <summary>Gets or sets what the attempt in progress holds (its limiter permit); released before every retry's wait.</summary>
    public IDisposable? Lease { get; set; }

    /// <summary>Gets or sets the decision about the last outcome.</summary>
    public RetryDecision LastDecision { get; set; }

    /// <summary>Gets or sets the wait before the next attempt, chosen when the last outcome was judged retryable.</summary>
    public RetryDelay NextDelay { get; set; }

    /// <summary>Gets or sets why a retryable outcome was handed back without retrying (retries spent, wait too long), if so.</summary>
    public string? StoppedBecause { get; set; }

    /// <summary>The first attempt's outcome, run before the retry pipeline and replayed as its first attempt.</summary>
    internal Outcome<HttpResponseMessage>? FirstOutcome { get; set; }

    /// <summary>How long the attempt starting at <paramref name="now"/> may wait for headers: its timeout, cut at the deadline's cutoff.</summary>
    public TimeSpan AttemptLimit(TimeSpan timeout, DateTimeOffset now) =>
        Deadline is { } deadline && deadline.LeftAt(now) < timeout ? TimeSpan.FromTicks(Math.Max(1, deadline.LeftAt(now).Ticks)) : timeout;

    /// <summary>
    /// Why an attempt given <paramref name="limit"/> ended without headers: the attempt timeout (retried) when that was the
    /// limit, else the deadline's cutoff (final).
    /// </summary>
    public TimeoutException AttemptTimedOut(TimeSpan timeout, TimeSpan limit, DateTimeOffset now) =>
        limit < timeout && Deadline is { } deadline
            ? deadline.Exceeded("the attempt had no response headers by the cutoff", now)
            : new AttemptTimeoutException(timeout);

    /// <summary>Releases the lease, if any.</summary>
    public void ReleaseLease()
    {
        var lease = Lease;
        Lease = null;
        lease?.Dispose();
    }

    /// <summary>Takes the lease away from the state, so that it outlives the retry loop (the final response's body holds it).</summary>
    public IDisposable? TakeLease()
    {
        var lease = Lease;
        Lease = null;
        return lease;
    }
}
