using Microsoft.Extensions.Time.Testing;
using Pacer.Configuration;
using Pacer.Limiting;

namespace Pacer.Tests.Limiting;

public sealed class LimiterTimerTests
{
    [Fact]
    public void AcquireAsync_ManyWaitersOnTime_ShareOneTimer()
    {
        var time = new CountingTimeProvider(new FakeTimeProvider(LimiterFixture.Epoch));
        using var limiter = new Limiter(new PacerOptions { MaxRequestsPerMinute = 60, Burst = 1, MaxConcurrentRequests = 50, MaxQueueWait = 3_600_000 }, time);
        limiter.Cooldown("k", "claude-opus-4-5", TimeSpan.FromSeconds(30));
        var waiters = new List<PendingPermit>();
        for (var i = 0; i < 100; i++)
        {
            var model = i % 2 == 0 ? "claude-sonnet-4-5" : "claude-opus-4-5";
            var deadline = i % 3 == 0 ? time.GetUtcNow().AddSeconds(20 + i) : (DateTimeOffset?)null;
            waiters.Add(new PendingPermit(limiter.AcquireAsync(LimiterFixture.Request("user" + (i % 7), model, deadline: deadline), TestContext.Current.CancellationToken)));
        }

        var released = new HashSet<PendingPermit>();
        for (var second = 0; second < 200 && waiters.Exists(w => !w.IsCompleted); second++)
        {
            time.Inner.Advance(TimeSpan.FromSeconds(1));
            foreach (var admitted in waiters.Where(w => w.IsCompleted && w.IsAdmitted && released.Add(w)))
            {
                admitted.Permit.Dispose();
            }
        }

        var snapshot = limiter.Snapshot();
        waiters.Count(w => !w.IsCompleted).ShouldBe(0, $"queued {snapshot.QueuedRequests}, in flight {snapshot.CurrentRequests}, recent {snapshot.RecentRequests}");
        waiters.Count(w => w.IsAdmitted).ShouldBeGreaterThan(50);
        waiters.Count(w => !w.IsAdmitted).ShouldBeGreaterThan(0);
        time.TimersCreated.ShouldBe(1);
    }

    /// <summary>A clock that counts the timers created through it.</summary>
    private sealed class CountingTimeProvider(FakeTimeProvider inner) : TimeProvider
    {
        private int _timers;

        public FakeTimeProvider Inner => inner;

        public int TimersCreated => Volatile.Read(ref _timers);

        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _timers);
            return inner.CreateTimer(callback, state, dueTime, period);
        }
    }
}
