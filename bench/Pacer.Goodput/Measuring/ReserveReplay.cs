namespace Pacer.Goodput.Measuring;

/// <summary>
/// The ideal under "reserve <c>max_tokens</c>" accounting, where no closed form holds: the workload replayed against
/// the upstream's own buckets by a client that knows their exact levels. The upstream admits a request when its
/// requests bucket holds 1, its input bucket the request's input tokens and its output bucket the request's whole
/// <c>max_tokens</c>; it then takes all three, and gives back <c>max_tokens</c> less the tokens produced when the
/// answer ends (never above the capacity, as the simulator does). Each of the k callers sends its next request when
/// its previous one has ended; requests go in the workload's order, each admitted at the first moment every bucket can
/// pay for it; a request takes its service time under the latency model (no jitter). The replay's last answer is the
/// ideal.
/// </summary>
internal static class ReserveReplay
{
    /// <summary>When the last answer of the workload ends, from the first request sent.</summary>
    /// <param name="demand">Each request's input tokens and output tokens produced, in the workload's order.</param>
    /// <param name="maxTokens">Each request's <c>max_tokens</c>, in the same order.</param>
    /// <param name="limits">The upstream's limits and the seconds of refill its buckets hold.</param>
    /// <param name="latency">The latency model.</param>
    /// <param name="callers">How many callers send at once.</param>
    public static TimeSpan Makespan(IReadOnlyList<RequestDemand> demand, IReadOnlyList<int> maxTokens, LimitSet limits, LatencyModel latency, int callers)
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

        var requests = new Bucket(limits.RequestsPerMinute, limits.BurstSeconds);
        var input = new Bucket(limits.InputTokensPerMinute, limits.BurstSeconds);
        var output = new Bucket(limits.OutputTokensPerMinute, limits.BurstSeconds);
        var free = new PriorityQueue<double, double>();
        for (var i = 0; i < callers; i++)
        {
            free.Enqueue(0, 0);
        }

        var refunds = new PriorityQueue<double, double>();
        double lastAdmission = 0, end = 0;
        for (var i = 0; i < demand.Count; i++)
        {
            var (inputTokens, produced) = (demand[i].InputTokens, demand[i].OutputTokens);
            var reserved = maxTokens[i];
            if (inputTokens > input.Capacity || reserved > output.Capacity)
            {
                throw new InvalidOperationException($"Request {i} ({inputTokens} input tokens, max_tokens {reserved}) can never fit the upstream's buckets.");
            }

            var t = Math.Max(free.Dequeue(), lastAdmission);
            while (true)
            {
                while (refunds.TryPeek(out var amount, out var at) && at <= t)
                {
                    output.Give(amount, at);
                    refunds.Dequeue();
                }

                var wait = Math.Max(requests.Wait(1, t), Math.Max(input.Wait(inputTokens, t), output.Wait(reserved, t)));
                if (wait <= 1e-9)
                {
                    break;
                }

                // A refund due before the buckets refill enough may let the request in sooner.
                t = refunds.TryPeek(out _, out var next) && next < t + wait ? next : t + wait;
            }

            requests.Take(1, t);
            input.Take(inputTokens, t);
            output.Take(reserved, t);
            lastAdmission = t;
            var done = t + IdealMakespan.ServiceTime(latency, produced).TotalSeconds;
            refunds.Enqueue(Math.Max(0, reserved - produced), done);
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
