using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

public sealed class LimiterCountersTests
{
    private static readonly PacerOptions Options = new()
    {
        MaxRequestsPerMinute = 3,
        Burst = 3,
        MaxConcurrentRequests = 2,
        MaxQueueWait = 300_000,
    };

    [Fact]
    public void Counters_AsRequestsComeAndGo_MatchTheSnapshot()
    {
        using var fixture = new LimiterFixture(Options);
        Counts(fixture.Limiter).ShouldBe((0, 0, 0));

        var first = fixture.AcquireNow("alice");
        var second = fixture.AcquireNow("bob");
        var third = fixture.Start("carol");
        var fourth = fixture.Start("dave");
        third.IsCompleted.ShouldBeFalse();
        Counts(fixture.Limiter).ShouldBe((2, 2, 2));
        ShouldMatchTheSnapshot(fixture.Limiter);

        first.Dispose();
        third.IsAdmitted.ShouldBeTrue();
        Counts(fixture.Limiter).ShouldBe((2, 1, 3));
        ShouldMatchTheSnapshot(fixture.Limiter);

        // The first admissions leave the window 60 s after they were made; the fourth request is then admitted.
        fixture.Advance(TimeSpan.FromSeconds(60));
        second.Dispose();
        fourth.IsAdmitted.ShouldBeTrue();
        Counts(fixture.Limiter).ShouldBe((2, 0, 1));
        ShouldMatchTheSnapshot(fixture.Limiter);

        third.Permit.Dispose();
        fourth.Permit.Dispose();
        fixture.Advance(TimeSpan.FromSeconds(60));
        Counts(fixture.Limiter).ShouldBe((0, 0, 0));
        ShouldMatchTheSnapshot(fixture.Limiter);
    }

    [Fact]
    public void Counters_AfterWarmUp_AllocateNothingWhereASnapshotDoes()
    {
        using var fixture = new LimiterFixture(Options);
        using var held = fixture.AcquireNow("alice");
        using var other = fixture.AcquireNow("bob");
        var waiting = fixture.Start("carol");
        var queued = fixture.Start("dave");
        ReadCounters(fixture.Limiter, 10);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var sum = ReadCounters(fixture.Limiter, 1000);
        var countersAllocated = GC.GetAllocatedBytesForCurrentThread() - before;

        before = GC.GetAllocatedBytesForCurrentThread();
        var snapshot = fixture.Limiter.Snapshot();
        var snapshotAllocated = GC.GetAllocatedBytesForCurrentThread() - before;

        sum.ShouldBe(1000 * (2 + 2 + 2));
        (snapshot.CurrentRequests, snapshot.QueuedRequests, snapshot.RequestsInLastMinute).ShouldBe((2, 2, 2));
        countersAllocated.ShouldBe(0);
        snapshotAllocated.ShouldBeGreaterThan(0);
        GC.KeepAlive(waiting);
        GC.KeepAlive(queued);
    }

    private static (int InFlight, int Queued, int RequestsInLastMinute) Counts(Limiter limiter) =>
        (limiter.InFlight, limiter.Queued, limiter.RequestsInLastMinute);

    private static void ShouldMatchTheSnapshot(Limiter limiter)
    {
        var snapshot = limiter.Snapshot();
        Counts(limiter).ShouldBe((snapshot.CurrentRequests, snapshot.QueuedRequests, snapshot.RequestsInLastMinute));
    }

    private static int ReadCounters(Limiter limiter, int times)
    {
        var sum = 0;
        for (var i = 0; i < times; i++)
        {
            sum += limiter.InFlight + limiter.Queued + limiter.RequestsInLastMinute;
        }

        return sum;
    }
}
