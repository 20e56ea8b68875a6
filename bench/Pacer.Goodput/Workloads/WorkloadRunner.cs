using System.Diagnostics;
using Pacer.Goodput.Systems;

namespace Pacer.Goodput.Workloads;

/// <summary>
/// Pushes a workload through a sender from a fixed number of concurrent callers (a closed loop: each caller takes the
/// next request in order when its previous one has ended), timing every request and the whole run.
/// </summary>
internal static class WorkloadRunner
{
    public static Task<RunRecord> RunAsync(IReadOnlyList<WorkItem> items, int callers, IRequestSender sender, TimeSpan bound)
    {
        ArgumentNullException.ThrowIfNull(sender);
        return RunAsync(items, callers, _ => sender, bound);
    }

    /// <summary>The same, each caller (0 to <paramref name="callers"/> − 1) sending through the sender <paramref name="senderOf"/> gives it, for example one of several gateways.</summary>
    public static async Task<RunRecord> RunAsync(IReadOnlyList<WorkItem> items, int callers, Func<int, IRequestSender> senderOf, TimeSpan bound)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(senderOf);
        using var stop = new CancellationTokenSource(bound);
        var results = new RequestRecord[items.Count];
        var next = -1;
        var clock = Stopwatch.StartNew();

        async Task CallerAsync(IRequestSender sender)
        {
            // Each caller runs on the thread pool so that a slow synchronous part of a client cannot serialize the others.
            await Task.Yield();
            int index;
            while ((index = Interlocked.Increment(ref next)) < items.Count)
            {
                var item = items[index];
                RequestTag.Set(item.Tag);
                var started = clock.Elapsed;
                CallOutcome outcome;
                try
                {
                    outcome = await sender.SendAsync(item, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    outcome = CallOutcome.Failed("run bound reached");
                }

                results[index] = new RequestRecord(item.Index, started, clock.Elapsed, outcome);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => CallerAsync(senderOf(c))));
        return new RunRecord(clock.Elapsed, results, stop.IsCancellationRequested);
    }
}

/// <summary>One request's timing (from the run's start) and outcome.</summary>
internal sealed record RequestRecord(int Index, TimeSpan Started, TimeSpan Ended, CallOutcome Outcome)
{
    public TimeSpan Latency => Ended - Started;
}

/// <summary>A whole run: its makespan (first request sent to last answer read) and every request.</summary>
internal sealed record RunRecord(TimeSpan Makespan, IReadOnlyList<RequestRecord> Requests, bool BoundReached);
