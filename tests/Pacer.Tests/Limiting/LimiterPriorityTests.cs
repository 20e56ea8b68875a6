using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

/// <summary>Priority classes: interactive before batch, batch's guaranteed minimum share, round-robin inside each class.</summary>
public sealed class LimiterPriorityTests
{
    private static PacerOptions OneAtATime(int batchMinShare = PacerDefaults.BatchMinShare) =>
        new() { MaxConcurrentRequests = 1, MaxRequestsPerMinute = 1000, Burst = 100, MaxQueueWait = 3_600_000, BatchMinShare = batchMinShare };

    private static PendingPermit Start(LimiterFixture fixture, RequestPriority priority, string user = "u", string model = "claude-sonnet-4-5") =>
        new(fixture.Limiter.AcquireAsync(LimiterFixture.Request(user, model) with { Priority = priority }, TestContext.Current.CancellationToken));

    /// <summary>Releases the one slot again and again, and returns which waiter was admitted each time.</summary>
    private static List<string> AdmissionOrder(LimiterFixture fixture, Permit holder, List<(string Name, PendingPermit Pending)> waiters)
    {
        var order = new List<string>();
        var current = holder;
        for (var round = 0; round < waiters.Count; round++)
        {
            // The pacing allows one admission per 60 ms: keep it out of the way, the one slot is what limits.
            fixture.Advance(TimeSpan.FromMilliseconds(60));
            current.Dispose();
            var admitted = waiters.Where(w => w.Pending.IsCompleted && !order.Contains(w.Name)).ToList();
            admitted.Count.ShouldBe(1, $"round {round}: exactly one admission per released slot");
            order.Add(admitted[0].Name);
            current = admitted[0].Pending.Permit;
        }

        current.Dispose();
        return order;
    }

    [Fact]
    public void AcquireAsync_InteractiveArrivesAfterBatch_InteractiveAdmittedFirst()
    {
        using var fixture = new LimiterFixture(OneAtATime());
        var holder = fixture.AcquireNow();
        var batch = Start(fixture, RequestPriority.Batch, "b");
        var interactive = Start(fixture, RequestPriority.Interactive, "i");

        holder.Dispose();

        interactive.IsAdmitted.ShouldBeTrue();
        batch.IsCompleted.ShouldBeFalse();
        interactive.Permit.Dispose();
        batch.IsAdmitted.ShouldBeTrue();
    }

    [Fact]
    public void AcquireAsync_DefaultPriority_IsInteractive()
    {
        LimiterFixture.Request().Priority.ShouldBe(RequestPriority.Interactive);
        using var fixture = new LimiterFixture(OneAtATime());
        var holder = fixture.AcquireNow();
        var batch = Start(fixture, RequestPriority.Batch, "b");
        var plain = fixture.Start("p");

        holder.Dispose();

        plain.IsAdmitted.ShouldBeTrue();
        batch.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public void AcquireAsync_BothClassesWaitingUnderLoad_BatchGetsItsMinimumShare()
    {
        using var fixture = new LimiterFixture(OneAtATime(batchMinShare: 10));
        var holder = fixture.AcquireNow();
        var waiters = new List<(string, PendingPermit)>();
        for (var i = 0; i < 30; i++)
        {
            waiters.Add(($"b{i}", Start(fixture, RequestPriority.Batch, "batch-user")));
        }

        for (var i = 0; i < 120; i++)
        {
            waiters.Add(($"i{i}", Start(fixture, RequestPriority.Interactive, $"user{i % 7}")));
        }

        var order = AdmissionOrder(fixture, holder, waiters);

        // One admission in ten goes to batch while both wait (the 11th, the 21st, ...), then the rest of batch.
        var firstHundredTen = order.Take(110).ToList();
        firstHundredTen.Count(n => n.StartsWith('b')).ShouldBe(10);
        var gaps = order.Take(120).Select((name, index) => (name, index)).Where(x => x.name.StartsWith('b')).Select(x => x.index).ToList();
        gaps[0].ShouldBe(10);
        gaps.Zip(gaps.Skip(1), (a, b) => b - a).ShouldAllBe(gap => gap == 10);
        order.Skip(order.IndexOf("i119") + 1).ShouldAllBe(name => name.StartsWith('b'));
    }

    [Fact]
    public void AcquireAsync_BatchMinShareZero_BatchWaitsForEveryInteractive()
    {
        using var fixture = new LimiterFixture(OneAtATime(batchMinShare: 0));
        var holder = fixture.AcquireNow();
        var waiters = new List<(string, PendingPermit)>();
        for (var i = 0; i < 5; i++)
        {
            waiters.Add(($"b{i}", Start(fixture, RequestPriority.Batch, "batch-user")));
        }

        for (var i = 0; i < 50; i++)
        {
            waiters.Add(($"i{i}", Start(fixture, RequestPriority.Interactive, "someone")));
        }

        var order = AdmissionOrder(fixture, holder, waiters);

        order.Take(50).ShouldAllBe(name => name.StartsWith('i'));
        order.Skip(50).ShouldBe(["b0", "b1", "b2", "b3", "b4"]);
    }

    [Fact]
    public void AcquireAsync_InsideEachClass_UsersAreServedRoundRobin()
    {
        using var fixture = new LimiterFixture(OneAtATime(batchMinShare: 0));
        var holder = fixture.AcquireNow();
        var waiters = new List<(string, PendingPermit)>
        {
            ("x1", Start(fixture, RequestPriority.Batch, "x")),
            ("x2", Start(fixture, RequestPriority.Batch, "x")),
            ("x3", Start(fixture, RequestPriority.Batch, "x")),
            ("y1", Start(fixture, RequestPriority.Batch, "y")),
            ("a1", Start(fixture, RequestPriority.Interactive, "a")),
            ("a2", Start(fixture, RequestPriority.Interactive, "a")),
            ("a3", Start(fixture, RequestPriority.Interactive, "a")),
            ("b1", Start(fixture, RequestPriority.Interactive, "b")),
        };

        var order = AdmissionOrder(fixture, holder, waiters);

        order.ShouldBe(["a1", "b1", "a2", "a3", "x1", "y1", "x2", "x3"]);
    }

    [Fact]
    public void AcquireAsync_InteractiveBlockedByItsOwnBucket_BatchOnAnotherBucketUsesTheSlot()
    {
        using var fixture = new LimiterFixture(OneAtATime());
        fixture.Limiter.Cooldown("k", "claude-opus-4-5", TimeSpan.FromSeconds(30));
        var interactive = Start(fixture, RequestPriority.Interactive, "i", model: "claude-opus-4-5");
        var batch = Start(fixture, RequestPriority.Batch, "b", model: "claude-sonnet-4-5");

        interactive.IsCompleted.ShouldBeFalse();
        batch.IsAdmitted.ShouldBeTrue();
        batch.Permit.Dispose();

        fixture.Advance(TimeSpan.FromSeconds(30));
        interactive.IsAdmitted.ShouldBeTrue();
    }

    [Fact]
    public void AcquireAsync_BatchOwedItsShareButItsBucketIsBlocked_InteractiveOnAnotherBucketGoes()
    {
        using var fixture = new LimiterFixture(OneAtATime(batchMinShare: 50));
        var holder = fixture.AcquireNow();
        fixture.Limiter.Cooldown("k", "claude-opus-4-5", TimeSpan.FromSeconds(30));
        var batch = Start(fixture, RequestPriority.Batch, "b", model: "claude-opus-4-5");
        var first = Start(fixture, RequestPriority.Interactive, "i");
        var second = Start(fixture, RequestPriority.Interactive, "i");
        var third = Start(fixture, RequestPriority.Interactive, "i");

        holder.Dispose();
        first.IsAdmitted.ShouldBeTrue();
        first.Permit.Dispose();
        second.IsAdmitted.ShouldBeTrue();
        second.Permit.Dispose();
        third.IsAdmitted.ShouldBeTrue();
        batch.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public void Snapshot_WaitersOfBothClasses_ShowsTheQueuePerClass()
    {
        using var fixture = new LimiterFixture(OneAtATime());
        using var holder = fixture.AcquireNow();
        Start(fixture, RequestPriority.Batch, "alice");
        Start(fixture, RequestPriority.Batch, "bob");
        Start(fixture, RequestPriority.Interactive, "alice");

        var snapshot = fixture.Limiter.Snapshot();

        snapshot.QueuedRequests.ShouldBe(3);
        snapshot.QueuedInteractive.ShouldBe(1);
        snapshot.QueuedBatch.ShouldBe(2);
        snapshot.QueuedUsers.ShouldBe(2);
        fixture.Limiter.QueuedOf(RequestPriority.Batch).ShouldBe(2);
    }

    [Fact]
    public void AcquireAsync_BatchPacedByRequestsPerMinute_InteractiveTakesTheNextSlot()
    {
        // 60 per minute, one at a time: the limit shared by everyone is what holds both classes back.
        using var fixture = new LimiterFixture(new PacerOptions { MaxRequestsPerMinute = 60, Burst = 1, BatchMinShare = 10 });
        fixture.AcquireNow().Dispose();
        var batch = Start(fixture, RequestPriority.Batch, "b");
        var interactive = Start(fixture, RequestPriority.Interactive, "i");

        fixture.ShouldAdmitAfter(interactive, TimeSpan.FromSeconds(1));
        batch.IsCompleted.ShouldBeFalse();
        fixture.ShouldAdmitAfter(batch, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void AcquireAsync_BothClassesWaitOnATokenBudget_BatchKeepsItsShareOfThatBudget()
    {
        // 100 input tokens a second and a bucket of one second: each request of 100 tokens waits for a full refill.
        var options = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50, InputTokensPerMinute = 6000, TokenBurstSeconds = 1, BatchMinShare = 50 };
        using var fixture = new LimiterFixture(options);
        while (fixture.Limiter.TryAcquire(LimiterFixture.Request("drain", input: 100), out var drained))
        {
            drained.Complete(new TokenUsage(100, 0));
            drained.Dispose();
        }

        var waiters = new List<(string Name, PendingPermit Pending)>();
        for (var i = 0; i < 6; i++)
        {
            waiters.Add(($"b{i}", new PendingPermit(fixture.Limiter.AcquireAsync(LimiterFixture.Request("batch", input: 100) with { Priority = RequestPriority.Batch }, TestContext.Current.CancellationToken))));
            waiters.Add(($"i{i}", new PendingPermit(fixture.Limiter.AcquireAsync(LimiterFixture.Request("person", input: 100), TestContext.Current.CancellationToken))));
        }

        waiters.Where(w => w.Pending.IsCompleted).Select(w => w.Name).ShouldBeEmpty();
        var order = new List<string>();
        for (var second = 0; second < 9; second++)
        {
            fixture.Advance(TimeSpan.FromSeconds(1));
            var admitted = waiters.Where(w => w.Pending.IsCompleted && !order.Contains(w.Name)).ToList();
            admitted.Count.ShouldBe(1, $"second {second}: one refill admits one request; admitted {string.Join(",", admitted.Select(a => a.Name))} after {string.Join(",", order)}");
            order.Add(admitted[0].Name);

            // Completed with the tokens it used: a permit disposed without completing would refund its reservation.
            admitted[0].Pending.Permit.Complete(new TokenUsage(100, 0));
            admitted[0].Pending.Permit.Dispose();
        }

        // Half the admissions while both wait: the credit reaches 100 after two interactive admissions, then alternates.
        order.ShouldBe(["i0", "i1", "b0", "i2", "b1", "i3", "b2", "i4", "b3"]);
    }
}
