using System.Threading.RateLimiting;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

public sealed class PacerRateLimiterTests
{
    private static readonly PacerOptions OneAtATime = new() { MaxConcurrentRequests = 1, MaxRequestsPerMinute = 1000, Burst = 100 };

    [Fact]
    public async Task AcquireAsync_Free_LeaseHoldsAPermitUntilDisposed()
    {
        using var fixture = new LimiterFixture(OneAtATime);
        using var limiter = new PacerRateLimiter(fixture.Limiter);

        var lease = await limiter.AcquireAsync(LimiterFixture.Request(), 1, TestContext.Current.CancellationToken);

        lease.IsAcquired.ShouldBeTrue();
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(1);
        limiter.AttemptAcquire(LimiterFixture.Request(), 1).IsAcquired.ShouldBeFalse();
        lease.Dispose();
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
        limiter.AttemptAcquire(LimiterFixture.Request(), 0).IsAcquired.ShouldBeTrue();
    }

    [Fact]
    public async Task AcquireAsync_Rejected_FailedLeaseCarriesRetryAfterAndReason()
    {
        using var fixture = new LimiterFixture(OneAtATime);
        using var limiter = new PacerRateLimiter(fixture.Limiter);
        fixture.Limiter.Cooldown("k", "claude-sonnet-4-5", TimeSpan.FromSeconds(30));

        var lease = await limiter.AcquireAsync(LimiterFixture.Request(deadline: fixture.Time.GetUtcNow().AddSeconds(5)), 1, TestContext.Current.CancellationToken);

        lease.IsAcquired.ShouldBeFalse();
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter).ShouldBeTrue();
        retryAfter.ShouldBe(TimeSpan.FromSeconds(30));
        lease.TryGetMetadata(MetadataName.ReasonPhrase, out var reason).ShouldBeTrue();
        reason.ShouldNotBeNull().ShouldContain("Cooldown");
    }

    [Fact]
    public void AttemptAcquire_SomeoneQueued_DoesNotPassThem()
    {
        using var fixture = new LimiterFixture(OneAtATime with { MaxConcurrentRequests = 5 });
        using var limiter = new PacerRateLimiter(fixture.Limiter);
        fixture.Limiter.Cooldown("k", "claude-sonnet-4-5", TimeSpan.FromSeconds(30));
        var queued = fixture.Start(model: "claude-sonnet-4-5");

        limiter.AttemptAcquire(LimiterFixture.Request(model: "claude-haiku-4-5"), 1).IsAcquired.ShouldBeFalse();
        limiter.GetStatistics(LimiterFixture.Request()).ShouldNotBeNull().CurrentQueuedCount.ShouldBe(1);
        fixture.Advance(TimeSpan.FromSeconds(30));

        queued.IsAdmitted.ShouldBeTrue();
        using var lease = limiter.AttemptAcquire(LimiterFixture.Request(model: "claude-haiku-4-5"), 1);
        lease.IsAcquired.ShouldBeTrue();
        var statistics = limiter.GetStatistics(LimiterFixture.Request()).ShouldNotBeNull();
        statistics.CurrentAvailablePermits.ShouldBe(3);
        statistics.TotalSuccessfulLeases.ShouldBe(1);
        statistics.TotalFailedLeases.ShouldBe(1);
        queued.Permit.Dispose();
    }

    [Fact]
    public void AttemptAcquire_MoreThanOnePermit_IsRefused()
    {
        using var fixture = new LimiterFixture();
        using var limiter = new PacerRateLimiter(fixture.Limiter);

        Should.Throw<ArgumentOutOfRangeException>(() => limiter.AttemptAcquire(LimiterFixture.Request(), 2));
    }
}
