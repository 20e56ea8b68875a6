namespace Pacer.Simulator.Options;

/// <summary>
/// Rate limits. Every API key has its own continuous token buckets for each model pool: requests, input tokens and
/// output tokens per minute, each holding <see cref="BurstSeconds"/> worth of refill (refill is limit/60 per second).
/// </summary>
public sealed class LimitOptions
{
    /// <summary>Requests per minute of every pool without its own value. <value>The default is 50.</value></summary>
    public int RequestsPerMinute { get; set; } = SimulatorDefaults.RequestsPerMinute;

    /// <summary>Input tokens per minute (input + cache creation) of every pool without its own value. <value>The default is 30000.</value></summary>
    public int InputTokensPerMinute { get; set; } = SimulatorDefaults.InputTokensPerMinute;

    /// <summary>Output tokens per minute of every pool without its own value. <value>The default is 8000.</value></summary>
    public int OutputTokensPerMinute { get; set; } = SimulatorDefaults.OutputTokensPerMinute;

    /// <summary>
    /// Seconds of refill a bucket holds: 60 lets a full minute's limit through at once; 1 enforces "60 RPM" as one
    /// request per second. A bucket always holds at least one unit. <value>The default is 60.</value>
    /// </summary>
    public double BurstSeconds { get; set; } = SimulatorDefaults.BurstSeconds;

    /// <summary>How output tokens are counted against the output bucket. <value>The default is <see cref="OutputAccounting.Reserve"/>.</value></summary>
    public OutputAccounting OutputAccounting { get; set; } = OutputAccounting.Reserve;

    /// <summary>
    /// Token "remaining" headers are rounded to the nearest multiple of this (the real API rounds to thousands);
    /// 1 gives exact values. <value>The default is 1000.</value>
    /// </summary>
    public int RemainingRounding { get; set; } = SimulatorDefaults.RemainingRounding;

    /// <summary>Requests per minute of <c>/v1/messages/count_tokens</c>, per API key (its own bucket). <value>The default is 100.</value></summary>
    public int CountTokensRequestsPerMinute { get; set; } = SimulatorDefaults.CountTokensRequestsPerMinute;

    /// <summary>Per-pool overrides, by pool name (see <see cref="ModelOptions.Pool"/>).</summary>
    public IList<PoolLimitOptions> Pools { get; set; } = [];
}
