using Pacer.Goodput.Workloads;
using Pacer.Simulator;

namespace Pacer.Goodput.Measuring;

/// <summary>
/// The service time the upstream drew for each request of one run: from the arrival of its answered attempt to the end
/// of its answer, as the simulator's attempt log shows them. The simulator scales each answer's latency by a jitter draw
/// (±20 % by default); on a workload whose tail is one long reply, that draw alone moves the makespan by seconds.
/// Replaying the workload with these times (<see cref="BucketReplay"/>) gives the ideal of the run itself: what a
/// client that knew the buckets' exact levels could have done against the latencies this upstream took. (The simulator
/// draws each answer's jitter by its request since 2026-12-05, so every system now meets the same draws; before, they
/// came from one sequence in arrival order, and differed from one system's run to another's.)
/// </summary>
internal static class DrawnServiceTimes
{
    /// <summary>Each request's drawn service time, in the workload's order; the latency model's mean where the log has no answer for it.</summary>
    /// <param name="attempts">The simulator's attempt log of the run.</param>
    /// <param name="demand">Each request's demand, in the workload's order (its output tokens give the mean service time of a request never answered).</param>
    /// <param name="latency">The latency model.</param>
    public static IReadOnlyList<TimeSpan> Of(IReadOnlyList<SimulatorAttempt> attempts, IReadOnlyList<RequestDemand> demand, LatencyModel latency)
    {
        ArgumentNullException.ThrowIfNull(attempts);
        ArgumentNullException.ThrowIfNull(demand);
        ArgumentNullException.ThrowIfNull(latency);
        var answered = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var attempt in attempts)
        {
            if (attempt is { Path: "/v1/messages", Status: 200, CompletedAt: { } completed }
                && attempt.Headers.TryGetValue(RequestTag.HeaderName, out var tag))
            {
                answered[tag] = completed - attempt.ArrivedAt;
            }
        }

        var times = new TimeSpan[demand.Count];
        for (var i = 0; i < times.Length; i++)
        {
            times[i] = answered.TryGetValue(WorkItem.TagOf(i), out var drawn) ? drawn : IdealMakespan.ServiceTime(latency, demand[i].OutputTokens);
        }

        return times;
    }
}
