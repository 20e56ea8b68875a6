using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Pacer.Configuration;
using Pacer.Goodput.Reporting;
using Pacer.Limiting;

namespace Pacer.Goodput.Scale;

/// <summary>
/// The limiter with thousands of requests queued at once: what each waiter costs in memory, how long cancelling them all
/// takes, and how evenly admissions are shared between users when some queued far more than others.
/// </summary>
internal sealed class ScaleBenchmark(ScaleSettings settings, TextWriter output)
{
    private static readonly RequestCost Cost = new(InputTokens: 100, OutputTokens: 100);

    public async Task<IReadOnlyList<string>> RunAsync()
    {
        await QueueCostAsync(Math.Min(200, settings.Waiters)); // Warm-up: the code paths are compiled before they are timed.
        var queue = await QueueCostAsync(settings.Waiters);
        var blocks = Fairness("blocks", BlocksOfUsers(settings.Waiters, settings.Users));
        var heavy = Fairness("one-heavy-user", OneHeavyUser(settings.Waiters, settings.Users));
        var table = new MarkdownTable("measure", "value");
        table.Add("waiters queued at once", Format.Number(queue.Waiters))
            .Add("memory retained per waiter", Format.Number(queue.RetainedBytesPerWaiter) + " B")
            .Add("memory allocated per waiter (acquire + its token's registration)", Format.Number(queue.AllocatedBytesPerWaiter) + " B")
            .Add("time to queue one waiter (deep queue)", Format.Number(queue.EnqueueMicrosecondsPerWaiter, 2) + " µs")
            .Add("time to cancel them all (each its own token)", Format.Number(queue.CancelAllMilliseconds, 1) + " ms")
            .Add("time to reject them all (limiter disposed)", Format.Number(queue.DisposeAllMilliseconds, 1) + " ms");
        foreach (var f in new[] { blocks, heavy })
        {
            table.Add($"{f.Scenario}: largest / smallest share of {f.Window} admissions ({f.Users} users, fair share {Format.Percent(1.0 / f.Users)})",
                $"{Format.Percent(f.LargestShare)} / {Format.Percent(f.SmallestShare)}");
            table.Add($"{f.Scenario}: admissions before every user's first", Format.Number(f.AdmissionsUntilEveryUserServed));
        }

        output.WriteLine(table.ToString());
        return [JsonSerializer.Serialize(queue, JsonLine.Options), JsonSerializer.Serialize(blocks, JsonLine.Options), JsonSerializer.Serialize(heavy, JsonLine.Options)];
    }

    /// <summary>User u's requests all arrive together, users one after another: a FIFO queue would serve the first users only.</summary>
    internal static IReadOnlyList<int> BlocksOfUsers(int waiters, int users) =>
        [.. Enumerable.Range(0, waiters).Select(i => Math.Min(users - 1, i / Math.Max(1, waiters / users)))];

    /// <summary>User 0 queues all but one request per other user first; then each other user queues one.</summary>
    internal static IReadOnlyList<int> OneHeavyUser(int waiters, int users) =>
        [.. Enumerable.Repeat(0, waiters - (users - 1)), .. Enumerable.Range(1, users - 1)];

    private static PacerOptions Policy(int perMinute) => new()
    {
        MaxRequestsPerMinute = perMinute,
        Burst = 1,
        MaxConcurrentRequests = 50,
        MaxQueueLength = 1_000_000,
        MaxQueueWait = 3_600_000,
        LearnLimits = false,
    };

    private static AcquireRequest Request(int user) =>
        new("key", "claude-sonnet-4-5", "user-" + user.ToString(CultureInfo.InvariantCulture), Cost);

    private async Task<QueueCost> QueueCostAsync(int n)
    {
        var time = new FakeTimeProvider();
        var limiter = new Limiter(Policy(perMinute: 1), time);
        (await limiter.AcquireAsync(Request(0))).Dispose(); // The one admission a minute is spent: everything after waits.

        var sources = Enumerable.Range(0, n).Select(_ => new CancellationTokenSource()).ToArray();
        var waits = new ValueTask<Permit>[n];
        Collect();
        var retainedBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            waits[i] = limiter.AcquireAsync(Request(i % settings.Users), sources[i].Token);
        }

        var enqueue = clock.Elapsed;
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - retainedBefore;
        Expect(limiter.Snapshot().QueuedRequests == n, $"{n} waiters queued");

        clock.Restart();
        // Cancel runs each token's callbacks on this thread, as a request's own cancellation would; CancelAsync would
        // add a thread-pool hop per token to the figure.
        foreach (var source in sources)
        {
            source.Cancel();
        }

        // Timed until every waiter has ended; observing each one's exception afterwards is the caller's cost, not the limiter's.
        var cancelAll = clock.Elapsed;
        Expect(waits.All(w => w.IsCompleted), "every waiter ended by its cancellation");
        var cancelled = await DrainAsync(waits);
        Expect(cancelled == n && limiter.Snapshot().QueuedRequests == 0, "every waiter cancelled and gone from the queue");

        for (var i = 0; i < n; i++)
        {
            waits[i] = limiter.AcquireAsync(Request(i % settings.Users));
        }

        clock.Restart();
        limiter.Dispose();
        var disposeAll = clock.Elapsed;
        Expect(waits.All(w => w.IsCompleted), "every waiter ended by the dispose");
        var rejected = await DrainAsync(waits);
        Expect(rejected == n, "every waiter rejected on dispose");
        foreach (var source in sources)
        {
            source.Dispose();
        }

        return new QueueCost(n, retained / (double)n, allocated / (double)n, enqueue.TotalMicroseconds / n, cancelAll.TotalMilliseconds, disposeAll.TotalMilliseconds);
    }

    private Fairness Fairness(string scenario, IReadOnlyList<int> usersInArrivalOrder)
    {
        var time = new FakeTimeProvider();
        using var limiter = new Limiter(Policy(perMinute: 1000), time);
        // Polled as ValueTasks: their state is read synchronously, whereas a Task made from one completes on the thread pool.
        var pending = usersInArrivalOrder.Select(user => (User: user, Wait: limiter.AcquireAsync(Request(user)))).ToList();
        var admissions = new int[settings.Users];
        var firstServed = new HashSet<int>();
        var admitted = 0;
        var everyUserAfter = -1;
        var users = usersInArrivalOrder.Distinct().Count();
        var step = TimeSpan.FromTicks(TimeSpan.TicksPerMinute / 1000);
        for (var steps = 0; admitted < settings.FairnessWindow && steps < settings.FairnessWindow * 10; steps++)
        {
            for (var i = 0; i < pending.Count && admitted < settings.FairnessWindow; i++)
            {
                if (pending[i].Wait.IsCompletedSuccessfully)
                {
                    pending[i].Wait.Result.Dispose();
                    admissions[pending[i].User]++;
                    admitted++;
                    if (firstServed.Add(pending[i].User) && firstServed.Count == users)
                    {
                        everyUserAfter = admitted;
                    }

                    pending.RemoveAt(i--);
                }
            }

            time.Advance(step);
        }

        var shares = admissions.Take(users).Select(a => a / (double)admitted).ToArray();
        return new Fairness(scenario, users, admitted, shares.Max(), shares.Min(), everyUserAfter);
    }

    private static async Task<int> DrainAsync(ValueTask<Permit>[] waits)
    {
        var ended = 0;
        foreach (var wait in waits)
        {
            try
            {
                (await wait).Dispose();
            }
            catch (Exception error) when (error is OperationCanceledException or PacerRejectedException)
            {
                ended++;
            }
        }

        return ended;
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Scale benchmark invariant broken: " + what);
        }
    }
}

/// <summary>The cost of a deep queue: bytes per waiter, time per enqueue, and the time to end every waiter.</summary>
internal sealed record QueueCost(int Waiters, double RetainedBytesPerWaiter, double AllocatedBytesPerWaiter, double EnqueueMicrosecondsPerWaiter, double CancelAllMilliseconds, double DisposeAllMilliseconds);

/// <summary>How admissions were shared over a window: largest and smallest share, and how many admissions it took until every user had one.</summary>
internal sealed record Fairness(string Scenario, int Users, int Window, double LargestShare, double SmallestShare, int AdmissionsUntilEveryUserServed);
