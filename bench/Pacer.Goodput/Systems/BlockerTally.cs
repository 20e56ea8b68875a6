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

    public TimeSpan? LeaseTimeToLive => inner.LeaseTimeToLive;

    public event EventHandler? CapacityFreed
    {
        add => inner.CapacityFreed += value;
        remove => inner.CapacityFreed -= value;
    }

    public async ValueTask AdmitAsync(AdmissionBatch batch, CancellationToken cancellationToken = default)
    {
        await inner.AdmitAsync(batch, cancellationToken);
        if (batch.LookOnly)
        {
            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            Tally(batch.Decision(i), batch.Candidate(i).Cost);
        }
    }

    private void Tally(AdmissionDecision decision, RequestCost cost)
    {
        lock (_gate)
        {
            _decisions.Add(new Decision(DateTimeOffset.UtcNow, decision.Status, decision.Blockers, decision.RetryAfter, cost.InputTokens, cost.LearnedOutputTokens));
            if (decision.Admitted)
            {
                _events.Add((DateTimeOffset.UtcNow, $"admit(holds {cost.LearnedOutputTokens})"));
            }

            if (decision.Status == AdmissionStatus.Wait)
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

    public ValueTask UpdateAsync(BucketUpdate update, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var output = update.Change.OutputTokens;
            if (update.FreeLease != 0 && output.Debt < 0)
            {
                _events.Add((DateTimeOffset.UtcNow, $"release unanswered(gives back {-output.Debt})"));
            }
            else if (update.FreeLease == 0 && output.Debt != 0)
            {
                _events.Add((DateTimeOffset.UtcNow, $"complete(gives back {-output.Debt}{(update.Change.OutputRefundWithinRoom ? ", within room" : string.Empty)})"));
            }

            if (update.Levels.OutputTokens.IsKnown)
            {
                _events.Add((DateTimeOffset.UtcNow, $"learn(output {update.Levels.OutputTokens.Remaining})"));
            }
        }

        return inner.UpdateAsync(update, cancellationToken);
    }

    /// <summary>Gets the completions and header readings of the window, in order, as "+ms: what".</summary>
    public string EventsBetween(DateTimeOffset from, DateTimeOffset to)
    {
        lock (_gate)
        {
            return string.Join(", ", _events.Where(e => e.At >= from && e.At <= to).Select(e => $"-{(to - e.At).TotalMilliseconds:0.0}: {e.What}"));
        }
    }

    public ValueTask RenewAsync(string owner, ReadOnlyMemory<long> leases, CancellationToken cancellationToken = default) =>
        inner.RenewAsync(owner, leases, cancellationToken);

    public ValueTask ForgetOutputAccountingAsync(CancellationToken cancellationToken = default) => inner.ForgetOutputAccountingAsync(cancellationToken);

    public LimiterLoad ReadLoad() => inner.ReadLoad();

    public ValueTask<LimiterStoreSnapshot> SnapshotAsync(PacerOptions policy, CancellationToken cancellationToken = default) =>
        inner.SnapshotAsync(policy, cancellationToken);
}

/// <summary>One admission decision as the tally saw it.</summary>
internal readonly record struct Decision(DateTimeOffset At, AdmissionStatus Status, AdmissionBlockers Blockers, TimeSpan RetryAfter, int Input, int Output);
