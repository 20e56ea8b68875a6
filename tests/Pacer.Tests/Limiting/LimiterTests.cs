using Microsoft.Extensions.Time.Testing;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

public sealed class LimiterTests
{
    private static readonly PacerOptions OneAtATime = new() { MaxConcurrentRequests = 1, MaxRequestsPerMinute = 1000, Burst = 100 };

    [Fact]
    public void AcquireAsync_Uncontended_AdmitsAtOnceWithoutQueueTime()
    {
        using var fixture = new LimiterFixture();

        using var permit = fixture.AcquireNow(input: 10, output: 20);

        permit.QueueTime.ShouldBe(TimeSpan.Zero);
        permit.Reserved.ShouldBe(new RequestCost(10, 20));
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(1);
    }

    [Fact]
    public void AcquireAsync_BurstSpent_PacesAtTheEmissionInterval()
    {
        using var fixture = new LimiterFixture(new PacerOptions { MaxRequestsPerMinute = 60, Burst = 3, MaxConcurrentRequests = 50 });
        for (var i = 0; i < 3; i++)
        {
            fixture.AcquireNow().Dispose();
        }

        var fourth = fixture.Start();
        fourth.IsCompleted.ShouldBeFalse();
        fixture.Advance(TimeSpan.FromMilliseconds(999));
        fourth.IsCompleted.ShouldBeFalse();
        fixture.Advance(TimeSpan.FromMilliseconds(1));

        fourth.Permit.QueueTime.ShouldBe(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task AcquireAsync_ConcurrencyFull_WaitsForRelease()
    {
        using var fixture = new LimiterFixture(OneAtATime);
        var first = fixture.AcquireNow();

        var second = fixture.Acquire();
        second.IsCompleted.ShouldBeFalse();
        first.Dispose();

        using var admitted = await LimiterFixture.Settled(second);
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(1);
    }

    [Fact]
    public void AcquireAsync_Cancelled_RemovesTheWaiterAtOnce()
    {
        using var fixture = new LimiterFixture(OneAtATime);
        using var held = fixture.AcquireNow();
        using var cancel = new CancellationTokenSource();
        var cancelled = fixture.Start(cancel.Token, user: "a");
        var next = fixture.Start(user: "b");

        cancel.Cancel();

        cancelled.ErrorOf<OperationCanceledException>().CancellationToken.ShouldBe(cancel.Token);
        fixture.Limiter.Snapshot().QueuedRequests.ShouldBe(1);
        held.Dispose();
        next.IsAdmitted.ShouldBeTrue();
    }

    [Fact]
    public void AcquireAsync_AlreadyCancelled_FailsWithoutWaiting()
    {
        using var fixture = new LimiterFixture();

        var pending = fixture.Start(new CancellationToken(canceled: true));

        pending.Error.ShouldBeAssignableTo<OperationCanceledException>();
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
    }

    [Fact]
    public void AcquireAsync_QueueFull_RejectsTheNextAtOnce()
    {
        using var fixture = new LimiterFixture(OneAtATime with { MaxQueueLength = 2 });
        using var held = fixture.AcquireNow();
        var first = fixture.Start();
        var second = fixture.Start();

        var third = fixture.Start();

        var rejection = third.ErrorOf<PacerRejectedException>();
        rejection.Reason.ShouldBe(RejectionReason.QueueFull);
        rejection.RetryAfter.ShouldBeGreaterThan(TimeSpan.Zero);
        first.IsCompleted.ShouldBeFalse();
        second.IsCompleted.ShouldBeFalse();
        fixture.Limiter.Totals.Snapshot().Rejections.ShouldBe(1);
    }

    [Fact]
    public void AcquireAsync_MaxQueueWaitPasses_RejectsWithWaitTooLong()
    {
        using var fixture = new LimiterFixture(OneAtATime with { MaxQueueWait = 1000 });
        using var held = fixture.AcquireNow();
        var waiting = fixture.Start();

        fixture.Advance(TimeSpan.FromMilliseconds(1000));
        waiting.IsCompleted.ShouldBeFalse();
        fixture.Advance(TimeSpan.FromMilliseconds(1));

        waiting.ErrorOf<PacerRejectedException>().Reason.ShouldBe(RejectionReason.WaitTooLong);
        fixture.Limiter.Snapshot().QueuedRequests.ShouldBe(0);
    }

    [Fact]
    public void AcquireAsync_AdmissionKnownToComeAfterDeadline_RejectsAtOnceWithRetryAfter()
    {
        using var fixture = new LimiterFixture(new PacerOptions { MaxRequestsPerMinute = 60, Burst = 1 });
        fixture.AcquireNow().Dispose();

        var late = fixture.Start(deadline: fixture.Time.GetUtcNow().AddMilliseconds(500));

        var rejection = late.ErrorOf<PacerRejectedException>();
        rejection.Reason.ShouldBe(RejectionReason.WaitTooLong);
        rejection.RetryAfter.ShouldBe(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void AcquireAsync_DeadlinePassesWhileWaiting_Rejects()
    {
        using var fixture = new LimiterFixture(OneAtATime);
        using var held = fixture.AcquireNow();
        var waiting = fixture.Start(deadline: fixture.Time.GetUtcNow().AddSeconds(2));

        fixture.Advance(TimeSpan.FromSeconds(2) + TimeSpan.FromTicks(1));

        waiting.ErrorOf<PacerRejectedException>().Reason.ShouldBe(RejectionReason.WaitTooLong);
    }

    [Fact]
    public void AcquireAsync_DeadlineAlreadyPassed_RejectsEvenWhenFree()
    {
        using var fixture = new LimiterFixture();

        var late = fixture.Start(deadline: fixture.Time.GetUtcNow().AddMilliseconds(-1));

        late.ErrorOf<PacerRejectedException>().Reason.ShouldBe(RejectionReason.WaitTooLong);
        fixture.Limiter.Snapshot().RecentRequests.ShouldBe(0);
    }

    [Fact]
    public void AcquireAsync_MaxQueueWaitZeroAndBusy_RejectsAtOnce()
    {
        using var fixture = new LimiterFixture(OneAtATime with { MaxQueueWait = 0 });
        using var held = fixture.AcquireNow();

        fixture.Start().ErrorOf<PacerRejectedException>().Reason.ShouldBe(RejectionReason.WaitTooLong);
    }

    [Fact]
    public void AcquireAsync_LargerThanTheOperatorBudget_RejectsAsTooLarge()
    {
        using var fixture = new LimiterFixture(new PacerOptions { InputTokensPerMinute = 1000 });

        var rejection = fixture.Start(input: 1001).ErrorOf<PacerRejectedException>();

        rejection.Reason.ShouldBe(RejectionReason.TooLarge);
        rejection.Message.ShouldContain("1001 input");
        fixture.AcquireNow(input: 1000).Dispose();
    }

    [Fact]
    public void Dispose_WithWaiters_RejectsThemAndLaterAcquisitions()
    {
        var fixture = new LimiterFixture(OneAtATime);
        using var held = fixture.AcquireNow();
        var waiting = fixture.Start();

        fixture.Limiter.Dispose();

        waiting.ErrorOf<PacerRejectedException>().Reason.ShouldBe(RejectionReason.ShuttingDown);
        fixture.Start().ErrorOf<PacerRejectedException>().Reason.ShouldBe(RejectionReason.ShuttingDown);
    }

    [Fact]
    public void AcquireAsync_SharedStore_IsWokenBySlotsFreedByAnotherLimiter()
    {
        var time = new FakeTimeProvider(LimiterFixture.Epoch);
        var store = new InMemoryLimiterStore(time);
        using var first = new Limiter(OneAtATime, time, store);
        using var second = new Limiter(OneAtATime, time, store);
        var held = new PendingPermit(first.AcquireAsync(LimiterFixture.Request(), TestContext.Current.CancellationToken));
        held.IsAdmitted.ShouldBeTrue();
        var waiting = new PendingPermit(second.AcquireAsync(LimiterFixture.Request(), TestContext.Current.CancellationToken));

        waiting.IsCompleted.ShouldBeFalse();

        // The store announces the release; no poll, no time passes.
        held.Permit.Dispose();

        waiting.IsAdmitted.ShouldBeTrue();
    }

    [Fact]
    public void Snapshot_SharedStore_CountsEveryLimitersRequestsAndEachOnesOwn()
    {
        var time = new FakeTimeProvider(LimiterFixture.Epoch);
        var store = new InMemoryLimiterStore(time);
        var policy = new PacerOptions { MaxConcurrentRequests = 5, MaxRequestsPerMinute = 1000, Burst = 100 };
        using var first = new Limiter(policy, time, store);
        using var second = new Limiter(policy, time, store);
        using var a = new PendingPermit(first.AcquireAsync(LimiterFixture.Request(), TestContext.Current.CancellationToken)).Permit;
        using var b = new PendingPermit(first.AcquireAsync(LimiterFixture.Request(), TestContext.Current.CancellationToken)).Permit;

        var mine = first.Snapshot();
        var theirs = second.Snapshot();

        mine.CurrentRequests.ShouldBe(2);
        theirs.CurrentRequests.ShouldBe(2);
        mine.InstanceRequests.ShouldBe(2);
        theirs.InstanceRequests.ShouldBe(0);
        theirs.InstanceId.ShouldNotBe(mine.InstanceId);
    }

    [Fact]
    public void Permit_DisposedTwice_ReleasesOnce()
    {
        using var fixture = new LimiterFixture(new PacerOptions { MaxConcurrentRequests = 2, MaxRequestsPerMinute = 1000, Burst = 100 });
        using var other = fixture.AcquireNow();
        var permit = fixture.AcquireNow();

        permit.Dispose();
        permit.Dispose();

        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(1);
    }

    [Fact]
    public void Snapshot_AfterAdmissions_ReportsTheSeedFields()
    {
        using var fixture = new LimiterFixture(new PacerOptions { MaxRequestsPerMinute = 10, Burst = 5, MaxConcurrentRequests = 1 });
        fixture.AcquireNow(user: "a").Dispose();
        fixture.Advance(TimeSpan.FromSeconds(10));
        using var held = fixture.AcquireNow(user: "a");
        var queuedA = fixture.Start(user: "a");
        var queuedB = fixture.Start(user: "b");
        fixture.Advance(TimeSpan.FromSeconds(5));

        var snapshot = fixture.Limiter.Snapshot();

        snapshot.RecentRequests.ShouldBe(2);
        snapshot.RequestsInLastMinute.ShouldBe(2);
        snapshot.CurrentRequests.ShouldBe(1);
        snapshot.TimeUntilReset.ShouldBe(45_000);
        snapshot.QueuedRequests.ShouldBe(2);
        snapshot.QueuedUsers.ShouldBe(2);
        snapshot.Timestamp.ShouldBe(LimiterFixture.Epoch.AddSeconds(15));
        fixture.Advance(TimeSpan.FromSeconds(45));
        fixture.Limiter.Snapshot().RecentRequests.ShouldBe(1);
        fixture.Limiter.Dispose();
        queuedA.Error.ShouldNotBeNull();
        queuedB.Error.ShouldNotBeNull();
    }

    [Fact]
    public void Load_MatchesTheSnapshotWithoutAllocating()
    {
        using var fixture = new LimiterFixture(OneAtATime);
        fixture.AcquireNow().Dispose();
        using var held = fixture.AcquireNow();
        var waiting = fixture.Start();
        fixture.Limiter.Load();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var load = fixture.Limiter.Load();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        load.ShouldBe(new LimiterLoad(CurrentRequests: 1, RecentRequests: 2, QueuedRequests: 1));
        allocated.ShouldBe(0);
        fixture.Limiter.Dispose();
        waiting.Error.ShouldNotBeNull();
    }

    [Fact]
    public void Snapshot_NothingAdmitted_ReportsZeroes()
    {
        using var fixture = new LimiterFixture();

        var snapshot = fixture.Limiter.Snapshot();

        snapshot.RecentRequests.ShouldBe(0);
        snapshot.TimeUntilReset.ShouldBe(0);
        snapshot.UpstreamBuckets.ShouldBeEmpty();
    }
}
