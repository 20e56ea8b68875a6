using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Goodput.Systems;

/// <summary>
/// The in-memory limiter store with a tally of why admissions waited: every decision the limiter takes to admit a
/// waiter that comes back "wait" counts once for each budget that blocked it. Only observes; decides nothing.
/// </summary>
internal sealed class BlockerTally(InMemoryLimiterStore inner) : ILimiterStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<AdmissionBlockers, long> _counts = [];
    private readonly List<Decision> _decisions = [];
    private readonly List<(DateTimeOffset At, string What)> _events = [];
    private long _waits;

    public AdmissionDecision TryAdmit(BucketKey bucket, RequestCost cost, PacerOptions policy, long now, bool commit)
    {
        var decision = inner.TryAdmit(bucket, cost, policy, now, commit);
        if (commit)
        {
            lock (_gate)
            {
                _decisions.Add(new Decision(DateTimeOffset.UtcNow, decision.Status, decision.Blockers, decision.RetryAfter, cost.InputTokens, cost.LearnedOutputTokens));
                if (decision.Admitted)
                {
                    _events.Add((DateTimeOffset.UtcNow, $"admit(holds {cost.LearnedOutputTokens})"));
                }
            }
        }

        if (commit && decision.Status == AdmissionStatus.Wait)
        {
            lock (_gate)
            {
                _waits++;
                foreach (var blocker in Enum.GetValues<AdmissionBlockers>())
                {
                    if (blocker != AdmissionBlockers.None && blocker != AdmissionBlockers.Shared && decision.Blockers.HasFlag(blocker))
                    {
                        _counts[blocker] = _counts.GetValueOrDefault(blocker) + 1;
                    }
                }
            }
        }

        return decision;
    }

    /// <summary>Gets each blocker's share of the waiting decisions, largest first, for example "UpstreamOutputTokens 92 %".</summary>
    public string Describe()
    {
        lock (_gate)
        {
            return _waits == 0
                ? "no admission had to wait"
                : $"{_waits} waiting decisions, blocked by " + string.Join(", ", _counts.OrderByDescending(c => c.Value)
                    .Select(c => $"{c.Key} {Reporting.Format.Percent(c.Value / (double)_waits)}"));
        }
    }

    /// <summary>Gets every admission decision taken, in order, with the wall time it was taken at.</summary>
    public IReadOnlyList<Decision> Decisions()
    {
        lock (_gate)
        {
            return [.. _decisions];
        }
    }

    public void Complete(BucketKey bucket, RequestCost reserved, TokenUsage usage, ServerCount counted, PacerOptions policy, long now)
    {
        lock (_gate)
        {
            _events.Add((DateTimeOffset.UtcNow, $"complete(gives back {reserved.LearnedOutputTokens - usage.OutputTokens}, {counted})"));
        }

        inner.Complete(bucket, reserved, usage, counted, policy, now);
    }

    public void Release(BucketKey bucket, RequestCost held, bool completed, ServerCount counted, PacerOptions policy, long now)
    {
        if (!completed)
        {
            lock (_gate)
            {
                _events.Add((DateTimeOffset.UtcNow, $"release unanswered(gives back {held.LearnedOutputTokens}, {counted})"));
            }
        }

        inner.Release(bucket, held, completed, counted, policy, now);
    }

    public void Confirm(BucketKey bucket, RequestCost held, ServerCount counted, long now) =>
        inner.Confirm(bucket, held, counted, now);

    public void Observe(BucketKey bucket, RateLimitObservation observation, bool outputReservedOnArrival, long now)
    {
        lock (_gate)
        {
            _events.Add((DateTimeOffset.UtcNow, $"learn(output {observation.OutputTokens.Remaining})"));
        }

        inner.Observe(bucket, observation, outputReservedOnArrival, now);
    }

    /// <summary>Gets the completions and header readings of the window, in order, as "+ms: what".</summary>
    public string EventsBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            return string.Join(", ", _events.Where(e => e.At >= from && e.At <= to).Select(e => $"-{(to - e.At).TotalMilliseconds:0.0}: {e.What}"));
        }
    }

    public void Cooldown(BucketKey bucket, long until) => inner.Cooldown(bucket, until);

    public LimiterLoad Load(long now) => inner.Load(now);

    public LimiterStoreSnapshot Snapshot(PacerOptions policy, long now, DateTimeOffset wallNow) => inner.Snapshot(policy, now, wallNow);
}

/// <summary>One admission decision as the tally saw it.</summary>
internal readonly record struct Decision(DateTimeOffset At, AdmissionStatus Status, AdmissionBlockers Blockers, TimeSpan RetryAfter, int Input, int Output);
