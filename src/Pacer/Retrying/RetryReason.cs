namespace Pacer.Retrying;

/// <summary>Why an attempt's outcome was or was not retried.</summary>
internal enum RetryReason
{
    /// <summary>A success status; nothing to retry.</summary>
    Success,

    /// <summary>A status that is retried: 408, 409, 429, 500, 502, 503, 504, 529 or any other 5xx.</summary>
    RetryableStatus,

    /// <summary>A status that is final: 400, 401, 402, 403, 404, 413, 422 and every other 4xx.</summary>
    FinalStatus,

    /// <summary>A 429 whose body says <c>enforced_spend_limit_reached</c>: retrying is useless until the cap resets.</summary>
    SpendLimitReached,

    /// <summary>The upstream said <c>x-should-retry: true</c>.</summary>
    ShouldRetryHeaderTrue,

    /// <summary>The upstream said <c>x-should-retry: false</c>.</summary>
    ShouldRetryHeaderFalse,

    /// <summary>The connection failed before a response arrived.</summary>
    ConnectionFailure,

    /// <summary>No response headers arrived within <c>AttemptTimeout</c>.</summary>
    AttemptTimeout,

    /// <summary>The request's deadline came near (<see cref="Http.PacerDeadlineExceededException"/>).</summary>
    DeadlineReached,

    /// <summary>The caller cancelled.</summary>
    Canceled,

    /// <summary>The limiter refused admission.</summary>
    Rejected,

    /// <summary>An exception that says nothing about the upstream (a bug, an invalid request).</summary>
    OtherException,
}
