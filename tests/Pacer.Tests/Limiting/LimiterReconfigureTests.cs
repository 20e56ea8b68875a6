using Pacer.Configuration;

namespace Pacer.Tests.Limiting;

public sealed class LimiterReconfigureTests
{
    [Fact]
    public void Reconfigure_InvalidFields_ThrowsListingEveryOneAndKeepsThePolicy()
    {
        using var fixture = new LimiterFixture();
        var before = fixture.Limiter.Options;

        var error = Should.Throw<PacerOptionsException>(() => fixture.Limiter.Reconfigure(
            new PacerOptionsUpdate().Set("maxRequestsPerMinute", 5000).Set("maxConcurrentRequests", 10).Set("burst", 0)));

        error.Errors.Select(e => e.Field).ShouldBe(["maxRequestsPerMinute", "burst"], ignoreOrder: true);
        fixture.Limiter.Options.ShouldBeSameAs(before);
    }

    [Fact]
    public void Reconfigure_PartialUpdate_ChangesOnlyThoseFields()
    {
        using var fixture = new LimiterFixture();

        var now = fixture.Limiter.Reconfigure(new PacerOptionsUpdate().Set("maxRequestsPerMinute", 100).Set("maxConcurrentRequests", 10).Set("maxRetries", 5));

        now.ShouldBe(new PacerOptions { MaxRequestsPerMinute = 100, MaxConcurrentRequests = 10, MaxRetries = 5 });
        fixture.Limiter.Options.ShouldBeSameAs(now);
    }

    [Fact]
    public void Reconfigure_WholeInvalidPolicy_Throws()
    {
        using var fixture = new LimiterFixture();

        Should.Throw<PacerOptionsException>(() => fixture.Limiter.Reconfigure(new PacerOptions { MaxConcurrentRequests = 0 }));

        fixture.Limiter.Options.MaxConcurrentRequests.ShouldBe(PacerDefaults.MaxConcurrentRequests);
    }

    [Fact]
    public void Reconfigure_ConcurrencyBelowInFlight_BlocksUntilEnoughFinish()
    {
        using var fixture = new LimiterFixture(new PacerOptions { MaxConcurrentRequests = 3, MaxRequestsPerMinute = 1000, Burst = 100 });
        var held = new[] { fixture.AcquireNow(), fixture.AcquireNow(), fixture.AcquireNow() };

        fixture.Limiter.Reconfigure(new PacerOptionsUpdate().Set("maxConcurrentRequests", 1));
        var next = fixture.Start();

        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(3);
        held[0].Dispose();
        held[1].Dispose();
        next.IsCompleted.ShouldBeFalse();
        held[2].Dispose();
        next.IsAdmitted.ShouldBeTrue();
    }

    [Fact]
    public void Reconfigure_RaisedLimit_AdmitsWaitersAtOnce()
    {
        using var fixture = new LimiterFixture(new PacerOptions { MaxConcurrentRequests = 1, MaxRequestsPerMinute = 1000, Burst = 100 });
        using var held = fixture.AcquireNow();
        var waiting = new[] { fixture.Start("a"), fixture.Start("b") };

        fixture.Limiter.Reconfigure(new PacerOptions { MaxConcurrentRequests = 3, MaxRequestsPerMinute = 1000, Burst = 100 });

        waiting.ShouldAllBe(w => w.IsAdmitted);
    }

    [Fact]
    public void Reconfigure_LowerRate_NextAdmissionUsesTheNewPacing()
    {
        using var fixture = new LimiterFixture(new PacerOptions { MaxRequestsPerMinute = 600, Burst = 1, MaxConcurrentRequests = 50 });
        fixture.AcquireNow().Dispose();
        fixture.Advance(TimeSpan.FromMilliseconds(100));
        fixture.AcquireNow().Dispose();

        fixture.Limiter.Reconfigure(new PacerOptionsUpdate().Set("maxRequestsPerMinute", 2));
        var third = fixture.Start();

        // Two admissions are already in the window of 2: the third waits until the first leaves it, 60 s after it.
        fixture.Advance(TimeSpan.FromSeconds(60) - TimeSpan.FromMilliseconds(101));
        third.IsCompleted.ShouldBeFalse();
        fixture.Advance(TimeSpan.FromMilliseconds(1));
        third.IsAdmitted.ShouldBeTrue();
    }

    [Fact]
    public async Task AcquireAsync_ManyThreadsWithReconfiguration_NeverExceedsTheLimits()
    {
        // The fake clock is moved by this thread while the workers run on the pool: on a loaded machine it can run far
        // ahead of a starved worker, so the queue wait is as long as allowed and time moves only while someone waits.
        using var fixture = new LimiterFixture(new PacerOptions { MaxConcurrentRequests = 4, MaxRequestsPerMinute = 1000, Burst = 100, MaxQueueLength = 100_000, MaxQueueWait = 3_600_000 });
        var inFlight = 0;
        var peak = 0;
        var admitted = 0;
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                using var permit = await fixture.Limiter.AcquireAsync(LimiterFixture.Request("user" + (worker % 3)), TestContext.Current.CancellationToken);
                var now = Interlocked.Increment(ref inFlight);
                InterlockedMax(ref peak, now);
                Interlocked.Increment(ref admitted);
                Interlocked.Decrement(ref inFlight);
            }
        })).ToArray();

        var all = Task.WhenAll(workers);
        for (var step = 0; !all.IsCompleted; step++)
        {
            // Time moves and the concurrency limit changes under load; pacing at 1000/min needs 60 ms per admission.
            if (fixture.Limiter.Queued > 0)
            {
                fixture.Advance(TimeSpan.FromMilliseconds(60));
            }

            if (step % 50 == 0)
            {
                fixture.Limiter.Reconfigure(new PacerOptionsUpdate().Set("maxConcurrentRequests", step % 100 == 0 ? 2 : 4));
            }

            await Task.Yield();
        }

        await all.WaitAsync(LimiterFixture.Patience, TestContext.Current.CancellationToken);
        admitted.ShouldBe(1600);
        peak.ShouldBeLessThanOrEqualTo(4);
        fixture.Limiter.Snapshot().CurrentRequests.ShouldBe(0);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
