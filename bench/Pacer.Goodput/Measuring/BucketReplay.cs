namespace Pacer.Goodput.Measuring;

/// <summary>
/// The workload replayed against the upstream's own buckets by a client that knows their exact levels: the ideal under
/// "reserve <c>max_tokens</c>" accounting, where no closed form holds, and the tail the closed form leaves out (the
/// requests the workload sends last take their own service time, not the mean). The upstream admits a request when its
/// requests bucket holds 1, its input bucket the request's input tokens and its output bucket the request's whole
/// <c>max_tokens</c> (reserve) or one token (counted as produced); it then takes them. Reserving, it gives back
/// <c>max_tokens</c> less the tokens produced when the answer ends (never above the capacity, as the simulator does);
/// counted as produced, it takes the tokens produced when the answer ends. Each of the k callers sends its next request
/// when its previous one has ended; requests go in the workload's order, each admitted at the first moment every bucket
/// can pay for it; a request takes its service time under the latency model (no jitter), or the service time given
/// for it (the one the upstream drew in a run, <see cref="DrawnServiceTimes"/>). The replay's last answer is its makespan.
/// </summary>
internal static class BucketReplay
{
    /// <summary>When the last answer of the workload ends, from the first request sent.</summary>
    /// <param name="demand">Each request's input tokens and output tokens produced, in the workload's order.</param>
    /// <param name="maxTokens">Each request's <c>max_tokens</c>, in the same order.</param>
    /// <param name="limits">The upstream's limits and the seconds of refill its buckets hold.</param>
    /// <param name="latency">The latency model.</param>
    /// <param name="callers">How many callers send at once.</param>
    /// <param name="reserve">Whether the upstream reserves <c>max_tokens</c> on arrival; else it counts output as produced.</param>
    /// <param name="serviceTimes">Each request's service time, in the same order; null takes the latency model's, without jitter.</param>
    public static TimeSpan Makespan(IReadOnlyList<RequestDemand> demand, IReadOnlyList<int> maxTokens, LimitSet limits, LatencyModel latency, int callers, bool reserve, IReadOnlyList<TimeSpan>? serviceTimes = null)
    {
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(maxTokens);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(latency);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(callers);
        if (demand.Count != maxTokens.Count)
        {
            throw new ArgumentException($"{demand.Count} demands but {maxTokens.Count} max_tokens.", nameof(maxTokens));
        }

        if (serviceTimes is not null && serviceTimes.Count != demand.Count)
        {
            throw new ArgumentException($"{demand.Count} demands but {serviceTimes.Count} service times.", nameof(serviceTimes));
        }

        var requests = new Bucket(limits.RequestsPerMinute, limits.BurstSeconds);
        var input = new Bucket(limits.InputTokensPerMinute, limits.BurstSeconds);
        var output = new Bucket(limits.OutputTokensPerMinute, limits.BurstSeconds);
        var free = new PriorityQueue<double, double>();
        for (var i = 0; i < callers; i++)
        {
            free.Enqueue(0, 0);
        }

        // Output given back (reserving: the unused reservation) or taken (counted as produced: negative) when an answer ends.
        var refunds = new PriorityQueue<double, double>();
        double lastAdmission = 0, end = 0;
        for (var i = 0; i < demand.Count; i++)
        {
            var (inputTokens, produced) = (demand[i].InputTokens, demand[i].OutputTokens);
            var reserved = reserve ? maxTokens[i] : 1;
            if (inputTokens > input.Capacity || reserved > output.Capacity)
            {
                throw new InvalidOperationException($"Request {i} ({inputTokens} input tokens, max_tokens {reserved}) can never fit the upstream's buckets.");
            }

            var t = Math.Max(free.Dequeue(), lastAdmission);
            while (true)
            {
                while (refunds.TryPeek(out var amount, out var at) && at <= t)
                {
                    if (amount >= 0)
                    {
                        output.Give(amount, at);
                    }
                    else
                    {
                        output.Take(-amount, at);
                    }

                    refunds.Dequeue();
                }

                var wait = Math.Max(requests.Wait(1, t), Math.Max(input.Wait(inputTokens, t), output.Wait(reserved, t)));
                if (wait <= 1e-9)
                {
                    break;
                }

                // A refund due before the buckets refill enough may let the request in sooner (a charge makes it later).
                t = refunds.TryPeek(out _, out var next) && next < t + wait ? next : t + wait;
            }

            requests.Take(1, t);
            input.Take(inputTokens, t);
            if (reserve)
            {
                output.Take(reserved, t);
            }

            lastAdmission = t;
            var done = t + (serviceTimes?[i] ?? IdealMakespan.ServiceTime(latency, produced)).TotalSeconds;
            refunds.Enqueue(reserve ? Math.Max(0, reserved - produced) : -produced, done);
            free.Enqueue(done, done);
            end = Math.Max(end, done);
        }

        return TimeSpan.FromSeconds(end);
    }

    /// <summary>A continuously refilled bucket that starts full, in seconds and units.</summary>
    private sealed class Bucket(double perMinute, double burstSeconds)
    {
        private readonly double _rate = perMinute / 60;
        private double _level = IdealMakespan.Capacity(perMinute, burstSeconds);
        private double _at;

        public double Capacity { get; } = IdealMakespan.Capacity(perMinute, burstSeconds);

        public double Wait(double amount, double t) => Math.Max(0, (amount - LevelAt(t)) / _rate);

        public void Take(double amount, double t) => (_level, _at) = (LevelAt(t) - amount, Math.Max(t, _at));

        public void Give(double amount, double t) => (_level, _at) = (Math.Min(Capacity, LevelAt(t) + amount), Math.Max(t, _at));

        private double LevelAt(double t) => t <= _at ? _level : Math.Min(Capacity, _level + ((t - _at) * _rate));
    }
}
