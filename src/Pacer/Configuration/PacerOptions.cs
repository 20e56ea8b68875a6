using System.ComponentModel.DataAnnotations;

namespace Pacer.Configuration;

/// <summary>
/// The operator's policy: the seed's six settings (names, defaults and ranges kept exactly) and Pacer's own.
/// An instance is an immutable snapshot; reconfiguration swaps the whole snapshot atomically.
/// </summary>
public sealed record PacerOptions
{
    /// <summary>The configuration section that holds these settings.</summary>
    public const string SectionName = "Pacer";

    /// <summary>Gets the most requests admitted in any sliding 60-second window, paced evenly.</summary>
    /// <value>
    /// The default value is 50. Range 1-1000; 1-100000 with <see cref="ExtendedRanges"/>. Environment:
    /// <c>ANTHROPIC_RATE_LIMIT_PER_MINUTE</c>.
    /// </value>
    [ExtendableRange(1, SettingRanges.MaxRequestsPerMinute, SettingRanges.ExtendedMaxRequestsPerMinute)]
    public int MaxRequestsPerMinute { get; init; } = PacerDefaults.MaxRequestsPerMinute;

    /// <summary>Gets the most requests in flight at once, held from admission until the response body ends.</summary>
    /// <value>
    /// The default value is 5. Range 1-50; 1-10000 with <see cref="ExtendedRanges"/>. Environment:
    /// <c>ANTHROPIC_CONCURRENT_REQUESTS</c>.
    /// </value>
    [ExtendableRange(1, SettingRanges.MaxConcurrentRequests, SettingRanges.ExtendedMaxConcurrentRequests)]
    public int MaxConcurrentRequests { get; init; } = PacerDefaults.MaxConcurrentRequests;

    /// <summary>Gets the retries after the first attempt; attempts = 1 + MaxRetries.</summary>
    /// <value>The default value is 3. Range 0-10. Environment: <c>ANTHROPIC_MAX_RETRIES</c>.</value>
    [Range(0, 10)]
    public int MaxRetries { get; init; } = PacerDefaults.MaxRetries;

    /// <summary>Gets the first backoff delay in milliseconds, when the upstream gives no retry-after.</summary>
    /// <value>The default value is 1000. Range 100-10000. Environment: <c>ANTHROPIC_BASE_DELAY</c>.</value>
    [Range(100, 10000)]
    public int BaseDelay { get; init; } = PacerDefaults.BaseDelay;

    /// <summary>Gets the longest backoff delay in milliseconds.</summary>
    /// <value>The default value is 30000. Range 1000-120000. Environment: <c>ANTHROPIC_MAX_DELAY</c>.</value>
    [Range(1000, 120000)]
    public int MaxDelay { get; init; } = PacerDefaults.MaxDelay;

    /// <summary>Gets the multiplier between successive backoff delays.</summary>
    /// <value>The default value is 2. Range 1-5. Environment: <c>ANTHROPIC_BACKOFF_FACTOR</c>.</value>
    [Range(1.0, 5.0)]
    public double BackoffFactor { get; init; } = PacerDefaults.BackoffFactor;

    /// <summary>Gets how many requests may be admitted back to back before even pacing applies.</summary>
    /// <value>The default value is 3. Range 1-100. Environment: <c>PACER_BURST</c>.</value>
    [Range(1, 100)]
    public int Burst { get; init; } = PacerDefaults.Burst;

    /// <summary>Gets the most requests that may wait for admission; one more is rejected at once.</summary>
    /// <value>The default value is 10000. Range 0-1000000. Environment: <c>PACER_MAX_QUEUE_LENGTH</c>.</value>
    [Range(0, 1_000_000)]
    public int MaxQueueLength { get; init; } = PacerDefaults.MaxQueueLength;

    /// <summary>Gets the longest a request may wait for admission, in milliseconds.</summary>
    /// <value>The default value is 120000. Range 0-3600000. Environment: <c>PACER_MAX_QUEUE_WAIT</c>.</value>
    [Range(0, 3_600_000)]
    public int MaxQueueWait { get; init; } = PacerDefaults.MaxQueueWait;

    /// <summary>Gets how long one attempt may wait for response headers, in milliseconds.</summary>
    /// <value>The default value is 600000. Range 1000-3600000. Environment: <c>PACER_ATTEMPT_TIMEOUT</c>.</value>
    [Range(1000, 3_600_000)]
    public int AttemptTimeout { get; init; } = PacerDefaults.AttemptTimeout;

    /// <summary>Gets the operator's input-token budget per minute per upstream key and model class; 0 means none.</summary>
    /// <value>The default value is 0. Range 0-100000000. Environment: <c>PACER_INPUT_TOKENS_PER_MINUTE</c>.</value>
    [Range(0, 100_000_000)]
    public int InputTokensPerMinute { get; init; } = PacerDefaults.InputTokensPerMinute;

    /// <summary>Gets the operator's output-token budget per minute per upstream key and model class; 0 means none.</summary>
    /// <value>The default value is 0. Range 0-100000000. Environment: <c>PACER_OUTPUT_TOKENS_PER_MINUTE</c>.</value>
    [Range(0, 100_000_000)]
    public int OutputTokensPerMinute { get; init; } = PacerDefaults.OutputTokensPerMinute;

    /// <summary>Gets a value indicating whether upstream limits are learned from <c>anthropic-ratelimit-*</c> headers.</summary>
    /// <value>The default value is true. Environment: <c>PACER_LEARN_LIMITS</c>.</value>
    public bool LearnLimits { get; init; } = PacerDefaults.LearnLimits;

    /// <summary>
    /// Gets what a request holds against a learned upstream output-token budget until it completes: its whole
    /// <c>max_tokens</c>, or a per-model estimate of its output capped by <c>max_tokens</c> (see <see cref="Configuration.OutputReservation"/>).
    /// </summary>
    /// <value>
    /// The default value is <c>auto</c> (2): the estimate, switching a (key, model class) to <c>max_tokens</c> when the
    /// upstream shows it reserves <c>max_tokens</c>. Also <c>max_tokens</c> (0) and <c>estimate</c> (1).
    /// Environment: <c>PACER_OUTPUT_RESERVATION</c>.
    /// </value>
    public OutputReservation OutputReservation { get; init; } = PacerDefaults.OutputReservation;

    /// <summary>
    /// Gets how many seconds of refill the operator token budgets (<see cref="InputTokensPerMinute"/>,
    /// <see cref="OutputTokensPerMinute"/>) hold: each is a bucket of capacity limit × seconds / 60 refilled at limit / 60
    /// per second. Set it to the upstream's burst (the API's buckets may hold only a few seconds) to pace tokens evenly.
    /// </summary>
    /// <value>The default value is 60 (a whole minute). Range 1-60. Environment: <c>PACER_TOKEN_BURST_SECONDS</c>.</value>
    [Range(1, 60)]
    public int TokenBurstSeconds { get; init; } = PacerDefaults.TokenBurstSeconds;

    /// <summary>
    /// Gets the share of admissions, in percent, that waiting <see cref="Limiting.RequestPriority.Batch"/> requests are
    /// guaranteed while interactive requests also wait, so that a batch never starves. Batch requests also take
    /// whatever interactive traffic leaves unused.
    /// </summary>
    /// <value>The default value is 10. Range 0-50 (0: batch only gets what interactive traffic leaves). Environment: <c>PACER_BATCH_MIN_SHARE</c>.</value>
    [Range(0, 50)]
    public int BatchMinShare { get; init; } = PacerDefaults.BatchMinShare;

    /// <summary>
    /// Gets a value indicating whether the extended ranges are in force: <see cref="MaxRequestsPerMinute"/> 1-100000 and
    /// <see cref="MaxConcurrentRequests"/> 1-10000 instead of the seed's 1-1000 and 1-50. Read at startup only
    /// (environment, <c>.env</c>, <c>Pacer:ExtendedRanges</c>); an update through the admin API keeps the snapshot's value
    /// and is checked against its ranges. It is not one of the updatable settings of <see cref="PacerSettings.All"/>.
    /// </summary>
    /// <value>The default value is false (the seed's ranges). Environment: <c>PACER_EXTENDED_RANGES</c> (<c>true</c> or <c>false</c>).</value>
    public bool ExtendedRanges { get; init; } = PacerDefaults.ExtendedRanges;

    internal TimeSpan BaseDelayTime => TimeSpan.FromMilliseconds(BaseDelay);

    internal TimeSpan MaxDelayTime => TimeSpan.FromMilliseconds(MaxDelay);

    internal TimeSpan MaxQueueWaitTime => TimeSpan.FromMilliseconds(MaxQueueWait);

    internal TimeSpan AttemptTimeoutTime => TimeSpan.FromMilliseconds(AttemptTimeout);
}
