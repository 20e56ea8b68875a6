namespace Pacer.Goodput.Measuring;

/// <summary>
/// The shortest time in which the limits let a workload finish. Each limit is a continuously refilled token bucket
/// that starts full: capacity C = L · b / 60 (L per minute, b burst seconds, never below 1), refill r = L / 60 per
/// second. Having handed out D units, such a bucket cannot have admitted the last request before
/// <c>T = max(0, (D − C) / r)</c>. The last request then still takes its service time, taken as the latency model's
/// mean, <c>s̄ = TTFT + mean output tokens / tokens per second</c>. With k callers the work itself needs at least
/// <c>Σ sᵢ / k</c>, and never less than its longest request, <c>max sᵢ</c> (sᵢ = TTFT + output tokensᵢ / tokens per second).
/// So <c>ideal = max(T_requests + s̄, T_input + s̄, T_output + s̄, Σ sᵢ / k, max sᵢ)</c>.
/// </summary>
internal static class IdealMakespan
{
    /// <summary>When a full bucket of <paramref name="perMinute"/> with <paramref name="burstSeconds"/> of capacity can first have handed out <paramref name="demand"/> units.</summary>
    public static TimeSpan AdmissionBound(double perMinute, double burstSeconds, double demand)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perMinute);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burstSeconds);
        var capacity = Capacity(perMinute, burstSeconds);
        var refillPerSecond = perMinute / 60;
        return TimeSpan.FromSeconds(Math.Max(0, (demand - capacity) / refillPerSecond));
    }

    /// <summary>The bucket's capacity: <paramref name="burstSeconds"/> of refill, never below one unit.</summary>
    public static double Capacity(double perMinute, double burstSeconds) => Math.Max(1, perMinute * burstSeconds / 60);

    /// <summary>The service time of a request producing <paramref name="outputTokens"/> under the latency model, without jitter.</summary>
    public static TimeSpan ServiceTime(LatencyModel latency, double outputTokens) =>
        latency.Enabled ? latency.TimeToFirstToken + TimeSpan.FromSeconds(outputTokens / latency.TokensPerSecond) : TimeSpan.Zero;

    /// <summary>Computes every bound and the ideal for the workload's measured demand.</summary>
    public static IdealBreakdown Compute(IReadOnlyList<RequestDemand> demand, LimitSet limits, LatencyModel latency, int callers)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(latency);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(callers);
        var input = demand.Sum(d => (double)d.InputTokens);
        var output = demand.Sum(d => (double)d.OutputTokens);
        var meanService = demand.Count == 0 ? TimeSpan.Zero : ServiceTime(latency, output / demand.Count);
        var totalService = demand.Aggregate(TimeSpan.Zero, (sum, d) => sum + ServiceTime(latency, d.OutputTokens));
        var longest = demand.Count == 0 ? TimeSpan.Zero : ServiceTime(latency, demand.Max(d => d.OutputTokens));
        return new IdealBreakdown(
            Requests: AdmissionBound(limits.RequestsPerMinute, limits.BurstSeconds, demand.Count),
            InputTokens: AdmissionBound(limits.InputTokensPerMinute, limits.BurstSeconds, input),
            OutputTokens: AdmissionBound(limits.OutputTokensPerMinute, limits.BurstSeconds, output),
            MeanServiceTime: meanService,
            Concurrency: totalService / callers,
            LongestRequest: longest,
            TotalInputTokens: (long)input,
            TotalOutputTokens: (long)output);
    }
}

/// <summary>The limits enforced per API key and model pool, and the seconds of refill each bucket holds.</summary>
internal sealed record LimitSet(int RequestsPerMinute, int InputTokensPerMinute, int OutputTokensPerMinute, double BurstSeconds);

/// <summary>The simulator's latency model (means; its jitter averages out).</summary>
internal sealed record LatencyModel(bool Enabled, TimeSpan TimeToFirstToken, double TokensPerSecond);

/// <summary>What one request of the workload costs as the server counts it: input tokens (limit-counted) and output tokens produced.</summary>
internal readonly record struct RequestDemand(int InputTokens, int OutputTokens);

/// <summary>Each bound of <see cref="IdealMakespan"/> and the ideal they give.</summary>
internal sealed record IdealBreakdown(
    TimeSpan Requests,
    TimeSpan InputTokens,
    TimeSpan OutputTokens,
    TimeSpan MeanServiceTime,
    TimeSpan Concurrency,
    TimeSpan LongestRequest,
    long TotalInputTokens,
    long TotalOutputTokens)
{
    /// <summary>
    /// Gets the makespan of the workload replayed in its own order against the upstream's own buckets
    /// (<see cref="BucketReplay"/>): the ideal where the closed form does not hold (output reserved from <c>max_tokens</c>
    /// on arrival), and the tail it leaves out (the last requests' own service times); null when not replayed.
    /// </summary>
    public TimeSpan? Replayed { get; init; }

    /// <summary>
    /// Gets the ideal makespan: the binding limit's admission bound plus one mean service time, or the concurrency or
    /// longest-request bound if larger, or the replay when there is one and it takes longer.
    /// </summary>
    public TimeSpan Ideal => Max(ClosedForm, Replayed ?? TimeSpan.Zero);

    /// <summary>Gets which bound sets the ideal: requests, input_tokens, output_tokens, concurrency, longest_request or replay.</summary>
    public string Binding
    {
        get
        {
            if (Replayed is { } replayed && replayed > ClosedForm)
            {
                return "replay";
            }

            var limits = Admission + MeanServiceTime;
            if (LongestRequest > limits && LongestRequest >= Concurrency)
            {
                return "longest_request";
            }

            if (Concurrency > limits)
            {
                return "concurrency";
            }

            return Admission == InputTokens ? "input_tokens" : Admission == OutputTokens ? "output_tokens" : "requests";
        }
    }

    private TimeSpan ClosedForm => Max(Max(Admission + MeanServiceTime, Concurrency), LongestRequest);

    private TimeSpan Admission => Max(Max(Requests, InputTokens), OutputTokens);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
