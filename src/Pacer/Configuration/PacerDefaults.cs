namespace Pacer.Configuration;

/// <summary>The defaults and ranges of every setting, as named constants.</summary>
public static class PacerDefaults
{
    /// <summary>Default <see cref="PacerOptions.MaxRequestsPerMinute"/>: 50.</summary>
    public const int MaxRequestsPerMinute = 50;

    /// <summary>Default <see cref="PacerOptions.MaxConcurrentRequests"/>: 5.</summary>
    public const int MaxConcurrentRequests = 5;

    /// <summary>Default <see cref="PacerOptions.MaxRetries"/>: 3.</summary>
    public const int MaxRetries = 3;

    /// <summary>Default <see cref="PacerOptions.BaseDelay"/>: 1000 ms.</summary>
    public const int BaseDelay = 1000;

    /// <summary>Default <see cref="PacerOptions.MaxDelay"/>: 30000 ms.</summary>
    public const int MaxDelay = 30000;

    /// <summary>Default <see cref="PacerOptions.BackoffFactor"/>: 2.</summary>
    public const double BackoffFactor = 2;

    /// <summary>Default <see cref="PacerOptions.Burst"/>: 3 requests admitted back to back before pacing applies.</summary>
    public const int Burst = 3;

    /// <summary>Default <see cref="PacerOptions.MaxQueueLength"/>: 10,000 waiting requests.</summary>
    public const int MaxQueueLength = 10_000;

    /// <summary>Default <see cref="PacerOptions.MaxQueueWait"/>: 120,000 ms (2 minutes).</summary>
    public const int MaxQueueWait = 120_000;

    /// <summary>Default <see cref="PacerOptions.AttemptTimeout"/>: 600,000 ms (10 minutes, as the official SDKs).</summary>
    public const int AttemptTimeout = 600_000;

    /// <summary>Default <see cref="PacerOptions.InputTokensPerMinute"/>: 0, no operator limit (learned limits still apply).</summary>
    public const int InputTokensPerMinute = 0;

    /// <summary>Default <see cref="PacerOptions.OutputTokensPerMinute"/>: 0, no operator limit (learned limits still apply).</summary>
    public const int OutputTokensPerMinute = 0;

    /// <summary>Default <see cref="PacerOptions.LearnLimits"/>: true.</summary>
    public const bool LearnLimits = true;

    /// <summary>Default <see cref="PacerOptions.OutputReservation"/>: <see cref="Configuration.OutputReservation.Auto"/>.</summary>
    public const OutputReservation OutputReservation = Configuration.OutputReservation.Auto;

    /// <summary>Default <see cref="PacerOptions.TokenBurstSeconds"/>: 60, a whole minute of refill.</summary>
    public const int TokenBurstSeconds = 60;

    /// <summary>Default <see cref="PacerOptions.BatchMinShare"/>: 10 percent of admissions guaranteed to waiting batch requests.</summary>
    public const int BatchMinShare = 10;

    /// <summary>Default <see cref="PacerOptions.ExtendedRanges"/>: false, the seed's ranges.</summary>
    public const bool ExtendedRanges = false;
}
