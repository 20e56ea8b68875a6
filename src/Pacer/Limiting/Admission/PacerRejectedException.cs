namespace Pacer.Limiting;

/// <summary>Thrown when a request cannot be admitted in time: the queue is full, or the wait would pass its deadline.</summary>
public sealed class PacerRejectedException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public PacerRejectedException(RejectionReason reason, TimeSpan retryAfter, string message)
        : base(message)
    {
        Reason = reason;
        RetryAfter = retryAfter;
    }

    /// <summary>Gets why the request was rejected.</summary>
    public RejectionReason Reason { get; }

    /// <summary>Gets how long to wait before asking again; never negative.</summary>
    public TimeSpan RetryAfter { get; }
}

/// <summary>Why a request was not admitted.</summary>
public enum RejectionReason
{
    /// <summary>The queue already holds <c>MaxQueueLength</c> waiters.</summary>
    QueueFull,

    /// <summary>Admission would come after <c>MaxQueueWait</c> or the request's deadline.</summary>
    WaitTooLong,

    /// <summary>An upstream budget is in cooldown after a 429 for longer than the request can wait.</summary>
    Cooldown,

    /// <summary>The request alone is larger than a whole per-minute budget and can never be admitted.</summary>
    TooLarge,

    /// <summary>The limiter is shutting down.</summary>
    ShuttingDown,
}
