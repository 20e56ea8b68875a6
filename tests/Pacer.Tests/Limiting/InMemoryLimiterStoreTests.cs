using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

public sealed class InMemoryLimiterStoreTests
{
    private static readonly BucketKey Bucket = new("k", "claude-sonnet-4");
    private static readonly PacerOptions Policy = new() { MaxRequestsPerMinute = 60, Burst = 2, MaxConcurrentRequests = 2 };

    [Fact]
    public void TryAdmit_WithoutCommit_TakesNothing()
    {
        var store = new InMemoryLimiterStore();

        for (var i = 0; i < 5; i++)
        {
            store.TryAdmit(Bucket, default, Policy, now: 0, commit: false).Admitted.ShouldBeTrue();
        }

        store.Snapshot(Policy, 0, DateTimeOffset.UnixEpoch).InFlight.ShouldBe(0);
    }

    [Fact]
    public void TryAdmit_BurstThenPacing_ReportsTheSharedWait()
    {
        var store = new InMemoryLimiterStore();
        store.TryAdmit(Bucket, default, Policy with { MaxConcurrentRequests = 50 }, 0, commit: true).Admitted.ShouldBeTrue();
        store.TryAdmit(Bucket, default, Policy with { MaxConcurrentRequests = 50 }, 0, commit: true).Admitted.ShouldBeTrue();

        var third = store.TryAdmit(Bucket, default, Policy with { MaxConcurrentRequests = 50 }, 0, commit: true);

        third.Status.ShouldBe(AdmissionStatus.Wait);
        third.Blockers.ShouldBe(AdmissionBlockers.RequestRate);
        third.BlockedForAll.ShouldBeTrue();
        third.RetryAfter.ShouldBe(TimeSpan.FromSeconds(1));
        third.SharedRetryAfter.ShouldBe(TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void TryAdmit_ConcurrencyAndCooldown_ReportsBothWithTheLongestWait()
    {
        var store = new InMemoryLimiterStore();
        var policy = Policy with { MaxConcurrentRequests = 1, MaxRequestsPerMinute = 1000, Burst = 100 };
        store.TryAdmit(Bucket, default, policy, 0, commit: true).Admitted.ShouldBeTrue();
        store.Cooldown(Bucket, TimeSpan.FromSeconds(3).Ticks);

        var decision = store.TryAdmit(Bucket, default, policy, 0, commit: true);

        decision.Blockers.ShouldBe(AdmissionBlockers.Concurrency | AdmissionBlockers.Cooldown);
        decision.RetryAfter.ShouldBe(TimeSpan.FromSeconds(3));
        decision.SharedRetryAfter.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public void TryAdmit_WindowFullWithBurst_NeverMoreThanNInSixtySeconds()
    {
        var store = new InMemoryLimiterStore();
        var policy = new PacerOptions { MaxRequestsPerMinute = 3, Burst = 3, MaxConcurrentRequests = 50 };
        for (var i = 0; i < 3; i++)
        {
            store.TryAdmit(Bucket, default, policy, 0, commit: true).Admitted.ShouldBeTrue();
        }

        // GCRA alone would admit the fourth after 20 s; the window holds it until the first leaves, at 60 s.
        var fourth = store.TryAdmit(Bucket, default, policy, TimeSpan.FromSeconds(20).Ticks, commit: true);

        fourth.RetryAfter.ShouldBe(TimeSpan.FromSeconds(40));
        store.TryAdmit(Bucket, default, policy, TimeSpan.FromSeconds(60).Ticks, commit: true).Admitted.ShouldBeTrue();
        store.Snapshot(policy, TimeSpan.FromSeconds(60).Ticks, DateTimeOffset.UnixEpoch).RequestsInWindow.ShouldBe(1);
    }

    [Fact]
    public void Release_Twice_NeverGoesBelowZero()
    {
        var store = new InMemoryLimiterStore();

        store.Release(Bucket, default, completed: false, ServerCount.None, Policy, 0);

        store.Snapshot(Policy, 0, DateTimeOffset.UnixEpoch).InFlight.ShouldBe(0);
    }

    [Fact]
    public void TryAdmit_ManyUnknownModels_ForgetsIdleStates()
    {
        var store = new InMemoryLimiterStore();
        var policy = new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100, MaxConcurrentRequests = 50 };
        for (var i = 0; i < 5000; i++)
        {
            store.TryAdmit(new BucketKey("k", "model-" + i), default, policy, i, commit: false);
        }

        store.BucketCount.ShouldBe(5000);
        var later = TimeSpan.FromMinutes(6).Ticks;
        for (var i = 0; i < 3000; i++)
        {
            store.TryAdmit(new BucketKey("k", "late-" + i), default, policy, later, commit: false);
        }

        store.BucketCount.ShouldBeLessThan(5000);
    }
}
